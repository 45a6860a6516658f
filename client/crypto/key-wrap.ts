import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes } from "@noble/hashes/utils.js";

import {
  DecryptionError,
  KeyUnavailableError,
  MalformedEnvelopeError,
  UnsupportedEnvelopeVersionError,
} from "../errors.js";
import { ascii, bytesOfLength, requireBytes, startsWith } from "./bytes.js";
import { DATA_KEY_LENGTH, NONCE_LENGTH, TAG_LENGTH } from "./envelope-format.js";
import type { KeyInput } from "./ethereum-keys.js";
import { assertPublicKeyMatchesAddress, parsePrivateKey, parsePublicKey, toChecksumAddress } from "./ethereum-keys.js";

/**
 * A record's data key wrapped to one Ethereum account (ECIES on secp256k1), version 1:
 *
 *   offset  size  field
 *   0       4     magic "CLWK" (0x43 0x4c 0x57 0x4b)
 *   4       1     version = 0x01
 *   5       20    recipient address
 *   25      33    ephemeral public key, SEC1 compressed
 *   58      24    XChaCha20-Poly1305 nonce (random)
 *   82      48    encrypted data key (32) || Poly1305 tag (16)
 *
 * Key-encryption key = HKDF-SHA256(
 *   ikm  = x-coordinate of ECDH(ephemeral secret, recipient public key),
 *   salt = ephemeral public key (33, compressed) || recipient public key (33, compressed),
 *   info = "CareLedger/key-wrap/v1" || recipient address (20) || record commitment (32),
 *   L    = 32)
 * AEAD associated data = bytes [0, 58) of the wrapped key (magic, version, address, ephemeral key).
 *
 * Binding the commitment means a wrapped key only opens the record it was made for; binding
 * the address means a wrapped key cannot be relabelled for another reader.
 */
export const WRAPPED_KEY_MAGIC = ascii("CLWK");
export const WRAPPED_KEY_VERSION = 1;
export const WRAPPED_KEY_LENGTH = 4 + 1 + 20 + 33 + NONCE_LENGTH + DATA_KEY_LENGTH + TAG_LENGTH;
const AAD_END = 58;
const KDF_INFO_LABEL = ascii("CareLedger/key-wrap/v1");

export interface WrapKeyInput {
  /** The reader's secp256k1 public key, compressed or uncompressed, bytes or 0x-hex. */
  readonly recipientPublicKey: KeyInput;
  readonly dataKey: Uint8Array;
  /** Commitment of the record the data key opens: 0x-hex or 32 bytes. */
  readonly commitment: string | Uint8Array;
  /** When given, the public key must belong to this address (InvalidPublicKeyError otherwise). */
  readonly recipientAddress?: string;
}

export interface UnwrapKeyInput {
  /** The reader's secp256k1 private key, 32 bytes or 0x-hex. */
  readonly privateKey: KeyInput;
  readonly wrapped: Uint8Array;
  /** 0x-hex or 32 bytes. */
  readonly commitment: string | Uint8Array;
}

export function wrapKey({ recipientPublicKey, dataKey, commitment, recipientAddress }: WrapKeyInput): Uint8Array {
  const recipient =
    recipientAddress === undefined
      ? parsePublicKey(recipientPublicKey)
      : assertPublicKeyMatchesAddress(recipientPublicKey, recipientAddress);
  const key = bytesOfLength(dataKey, DATA_KEY_LENGTH, "dataKey");
  const commitmentBytes = bytesOfLength(commitment, 32, "commitment");
  const ephemeralSecret = secp256k1.utils.randomSecretKey();
  const ephemeralPublic = secp256k1.getPublicKey(ephemeralSecret, true);

  const wrapped = new Uint8Array(WRAPPED_KEY_LENGTH);
  wrapped.set(WRAPPED_KEY_MAGIC, 0);
  wrapped[4] = WRAPPED_KEY_VERSION;
  wrapped.set(recipient.addressBytes, 5);
  wrapped.set(ephemeralPublic, 25);
  const nonce = randomBytes(NONCE_LENGTH);
  wrapped.set(nonce, AAD_END);

  const kek = deriveKek(
    ephemeralSecret,
    recipient.compressed,
    ephemeralPublic,
    recipient.compressed,
    recipient.addressBytes,
    commitmentBytes,
  );
  try {
    wrapped.set(xchacha20poly1305(kek, nonce, wrapped.subarray(0, AAD_END)).encrypt(key), AAD_END + NONCE_LENGTH);
  } finally {
    kek.fill(0);
    key.fill(0);
    ephemeralSecret.fill(0);
  }
  return wrapped;
}

/**
 * Recovers the data key with the reader's private key. Throws KeyUnavailableError when the
 * wrapped key was made for another account, DecryptionError when it was altered or made for
 * another record, MalformedEnvelopeError / UnsupportedEnvelopeVersionError for bad bytes.
 */
export function unwrapKey({ privateKey, wrapped, commitment }: UnwrapKeyInput): Uint8Array {
  const secret = parsePrivateKey(privateKey);
  try {
    const commitmentBytes = bytesOfLength(commitment, 32, "commitment");
    const bytes = parseWrappedKey(wrapped);
    const reader = parsePublicKey(secp256k1.getPublicKey(secret, true));
    const recipientAddress = bytes.subarray(5, 25);
    if (!reader.addressBytes.every((byte, index) => recipientAddress[index] === byte)) {
      throw new KeyUnavailableError(reader.address, toChecksumAddress(recipientAddress));
    }
    const ephemeralPublic = bytes.subarray(25, AAD_END);
    try {
      parsePublicKey(ephemeralPublic);
    } catch {
      throw new MalformedEnvelopeError("wrapped-key", "invalid-ephemeral-key");
    }
    const kek = deriveKek(
      secret,
      ephemeralPublic,
      ephemeralPublic,
      reader.compressed,
      reader.addressBytes,
      commitmentBytes,
    );
    try {
      const nonce = bytes.subarray(AAD_END, AAD_END + NONCE_LENGTH);
      return xchacha20poly1305(kek, nonce, bytes.subarray(0, AAD_END)).decrypt(bytes.subarray(AAD_END + NONCE_LENGTH));
    } catch {
      throw new DecryptionError("wrapped-key");
    } finally {
      kek.fill(0);
    }
  } finally {
    secret.fill(0);
  }
}

function parseWrappedKey(wrapped: Uint8Array): Uint8Array {
  const bytes = requireBytes(wrapped, "wrapped");
  if (bytes.length < WRAPPED_KEY_MAGIC.length + 1) {
    throw new MalformedEnvelopeError("wrapped-key", "truncated");
  }
  if (!startsWith(bytes, WRAPPED_KEY_MAGIC)) {
    throw new MalformedEnvelopeError("wrapped-key", "bad-magic");
  }
  const version = bytes[WRAPPED_KEY_MAGIC.length];
  if (version !== WRAPPED_KEY_VERSION) {
    throw new UnsupportedEnvelopeVersionError("wrapped-key", version, [WRAPPED_KEY_VERSION]);
  }
  if (bytes.length !== WRAPPED_KEY_LENGTH) {
    throw new MalformedEnvelopeError("wrapped-key", bytes.length < WRAPPED_KEY_LENGTH ? "truncated" : "bad-length");
  }
  return bytes;
}

function deriveKek(
  ownSecret: Uint8Array,
  peerPublic: Uint8Array,
  ephemeralPublic: Uint8Array,
  recipientPublic: Uint8Array,
  recipientAddress: Uint8Array,
  commitment: Uint8Array,
): Uint8Array {
  const shared = secp256k1.getSharedSecret(ownSecret, peerPublic, true);
  const salt = new Uint8Array(66);
  salt.set(ephemeralPublic, 0);
  salt.set(recipientPublic, 33);
  const info = new Uint8Array(KDF_INFO_LABEL.length + 20 + 32);
  info.set(KDF_INFO_LABEL, 0);
  info.set(recipientAddress, KDF_INFO_LABEL.length);
  info.set(commitment, KDF_INFO_LABEL.length + 20);
  try {
    return hkdf(sha256, shared.subarray(1), salt, info, 32);
  } finally {
    shared.fill(0);
  }
}
