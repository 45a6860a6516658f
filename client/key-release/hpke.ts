import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import { CipherSuite, HkdfSha256 } from "@hpke/core";
import { DhkemX25519HkdfSha256 } from "@hpke/dhkem-x25519";
import { x25519 } from "@noble/curves/ed25519.js";

import { DecryptionError, InvalidArgumentError } from "../errors.js";

/**
 * HPKE (RFC 9180) base mode with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and ChaCha20-Poly1305:
 * the one public-key encryption CareLedger uses, for record keys sealed to readers and for key
 * shares sealed to custodians and released to requesters. Keys are X25519, separate from the
 * accounts' secp256k1 signing keys, and published on-chain in the EncryptionKeyRegistry.
 *
 * Sealed format: enc (32 bytes, the encapsulated key) || ciphertext || tag (16 bytes).
 * `info` names what is sealed (a fixed label per use); `aad` binds it to where it belongs.
 */
const suite = new CipherSuite({
  kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Chacha20Poly1305(),
});

export const X25519_KEY_LENGTH = 32;
const ENC_LENGTH = 32;
const TAG_LENGTH = 16;
/** Bytes HPKE adds to a plaintext. */
export const HPKE_OVERHEAD = ENC_LENGTH + TAG_LENGTH;

/** An X25519 key pair (raw 32-byte encodings, RFC 7748). */
export interface EncryptionKeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** A fresh X25519 key pair from the system's CSPRNG. */
export function generateEncryptionKeyPair(): EncryptionKeyPair {
  const privateKey = x25519.utils.randomSecretKey();
  return { privateKey, publicKey: x25519.getPublicKey(privateKey) };
}

/** The public key of an X25519 private key. */
export function encryptionPublicKeyOf(privateKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(requireKey(privateKey, "privateKey"));
}

/** Seals `plaintext` to `recipientPublicKey`; only its private key opens the result. */
export async function hpkeSeal(
  recipientPublicKey: Uint8Array,
  plaintext: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array> {
  let recipient: Awaited<ReturnType<typeof suite.kem.deserializePublicKey>>;
  try {
    recipient = await suite.kem.deserializePublicKey(copy(requireKey(recipientPublicKey, "recipientPublicKey")));
  } catch {
    throw new InvalidArgumentError("recipientPublicKey", "a valid X25519 public key");
  }
  const { enc, ct } = await suite.seal({ recipientPublicKey: recipient, info: copy(info) }, copy(plaintext), copy(aad));
  const sealed = new Uint8Array(enc.byteLength + ct.byteLength);
  sealed.set(new Uint8Array(enc), 0);
  sealed.set(new Uint8Array(ct), enc.byteLength);
  return sealed;
}

/**
 * Opens what `hpkeSeal` sealed. Throws DecryptionError (never returns unauthenticated bytes) when
 * the key, info or aad differ or the bytes were altered or truncated.
 */
export async function hpkeOpen(
  privateKey: Uint8Array,
  sealed: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array> {
  if (!(sealed instanceof Uint8Array) || sealed.length < HPKE_OVERHEAD) throw new DecryptionError("hpke");
  try {
    const recipientKey = await suite.kem.deserializePrivateKey(copy(requireKey(privateKey, "privateKey")));
    const plaintext = await suite.open(
      { recipientKey, enc: copy(sealed.subarray(0, ENC_LENGTH)), info: copy(info) },
      copy(sealed.subarray(ENC_LENGTH)),
      copy(aad),
    );
    return new Uint8Array(plaintext);
  } catch {
    throw new DecryptionError("hpke");
  }
}

function requireKey(key: Uint8Array, name: string): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== X25519_KEY_LENGTH) {
    throw new InvalidArgumentError(name, "32 bytes (an X25519 key)");
  }
  return key;
}

/** WebCrypto wants an ArrayBuffer it owns; never hand it a view of a larger shared buffer. */
function copy(bytes: Uint8Array): ArrayBuffer {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out.buffer;
}
