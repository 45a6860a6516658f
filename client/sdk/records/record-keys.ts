import { getAddress, getBytes, toBeArray, zeroPadValue } from "ethers";

import { DATA_KEY_LENGTH } from "../../crypto/envelope-format.js";
import { DecryptionError, MalformedEnvelopeError } from "../../errors.js";
import type { EncryptionKeyring } from "../../key-release/encryption-keyring.js";
import { hpkeOpen, hpkeSeal, HPKE_OVERHEAD } from "../../key-release/hpke.js";

/**
 * The key section of a record envelope: the record's data key sealed (HPKE) to each direct reader
 * — only the author and the patient, whom the chain always allows — and, opaque here, the share
 * bundle that splits the key among the key custodians for everyone else.
 *
 *   u8  format = 1
 *   u8  w = number of direct readers (at most MAX_DIRECT_READERS)
 *   w x { reader (20) | key version u32 | sealed data key (32 + HPKE_OVERHEAD) }
 *   u32 b = bundle length, then b bytes of share bundle (0 when no custodians were configured)
 *
 * Nothing else may follow. Every sealed key is bound (HPKE aad) to chain, registry, patient, the
 * record's salt, the reader and the key version, so it cannot be replayed into another record.
 */
export const KEY_SECTION_FORMAT = 1;
export const MAX_DIRECT_READERS = 8;
const INFO = new TextEncoder().encode("CareLedger/record-key/v1");
const SEALED_KEY_LENGTH = DATA_KEY_LENGTH + HPKE_OVERHEAD;
const WRAP_LENGTH = 20 + 4 + SEALED_KEY_LENGTH;

/** A reader the key is sealed to directly: its on-chain encryption key. */
export interface DirectReader {
  readonly address: string;
  readonly version: number;
  readonly publicKey: Uint8Array;
}

/** Where a record belongs; the same fields bind every sealed key of it. */
export interface RecordBinding {
  readonly chainId: bigint;
  readonly registry: string;
  readonly patient: string;
  readonly salt: Uint8Array;
}

export interface DirectKey {
  readonly reader: string;
  readonly version: number;
  readonly sealed: Uint8Array;
}

export interface KeySection {
  readonly direct: readonly DirectKey[];
  readonly custodianBundle: Uint8Array;
}

/** Seals the data key to every direct reader and appends the custodian bundle. */
export async function buildKeySection(
  dataKey: Uint8Array,
  readers: readonly DirectReader[],
  binding: RecordBinding,
  custodianBundle: Uint8Array = new Uint8Array(0),
): Promise<Uint8Array> {
  if (readers.length > MAX_DIRECT_READERS) throw new MalformedEnvelopeError("record-envelope", "bad-length");
  const direct = await Promise.all(
    readers.map(async (reader) => ({
      reader: getAddress(reader.address),
      version: reader.version,
      sealed: await hpkeSeal(reader.publicKey, dataKey, INFO, directKeyAad(binding, reader.address, reader.version)),
    })),
  );
  return encodeKeySection({ direct, custodianBundle });
}

/**
 * The data key, when `reader` holds a direct key in the section and its keyring has the private key
 * of that version; undefined when it holds none. A present but unopenable key is DecryptionError.
 */
export async function openDirectKey(
  section: KeySection,
  reader: string,
  keyring: EncryptionKeyring,
  binding: RecordBinding,
): Promise<Uint8Array | undefined> {
  const mine = section.direct.filter((key) => key.reader === getAddress(reader));
  let failed = false;
  for (const key of mine) {
    const entry = keyring.byVersion(key.version);
    if (entry === undefined) continue;
    try {
      return await hpkeOpen(entry.privateKey, key.sealed, INFO, directKeyAad(binding, key.reader, key.version));
    } catch {
      failed = true;
    }
  }
  if (failed) throw new DecryptionError("hpke");
  return undefined;
}

export function encodeKeySection(section: KeySection): Uint8Array {
  const out = new Uint8Array(2 + section.direct.length * WRAP_LENGTH + 4 + section.custodianBundle.length);
  const view = new DataView(out.buffer);
  out[0] = KEY_SECTION_FORMAT;
  out[1] = section.direct.length;
  let offset = 2;
  for (const key of section.direct) {
    if (key.sealed.length !== SEALED_KEY_LENGTH) throw new MalformedEnvelopeError("record-envelope", "bad-length");
    out.set(getBytes(key.reader), offset);
    view.setUint32(offset + 20, key.version);
    out.set(key.sealed, offset + 24);
    offset += WRAP_LENGTH;
  }
  view.setUint32(offset, section.custodianBundle.length);
  out.set(section.custodianBundle, offset + 4);
  return out;
}

/** Strict parse: a section from untrusted storage either parses exactly or is MalformedEnvelopeError. */
export function decodeKeySection(bytes: Uint8Array): KeySection {
  const malformed = (): never => {
    throw new MalformedEnvelopeError("record-envelope", "bad-length");
  };
  if (bytes.length < 2 + 4 || bytes[0] !== KEY_SECTION_FORMAT) return malformed();
  const count = bytes[1];
  if (count > MAX_DIRECT_READERS) return malformed();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 2;
  if (bytes.length < offset + count * WRAP_LENGTH + 4) return malformed();
  const direct: DirectKey[] = [];
  for (let i = 0; i < count; i += 1) {
    direct.push({
      reader: getAddress(`0x${Buffer.from(bytes.subarray(offset, offset + 20)).toString("hex")}`),
      version: view.getUint32(offset + 20),
      sealed: bytes.slice(offset + 24, offset + WRAP_LENGTH),
    });
    offset += WRAP_LENGTH;
  }
  const bundleLength = view.getUint32(offset);
  offset += 4;
  if (bytes.length !== offset + bundleLength) return malformed();
  return { direct, custodianBundle: bytes.slice(offset) };
}

function directKeyAad(binding: RecordBinding, reader: string, version: number): Uint8Array {
  const aad = new Uint8Array(32 + 20 + 20 + 32 + 20 + 4);
  aad.set(getBytes(zeroPadValue(toBeArray(binding.chainId), 32)), 0);
  aad.set(getBytes(getAddress(binding.registry)), 32);
  aad.set(getBytes(getAddress(binding.patient)), 52);
  aad.set(binding.salt, 72);
  aad.set(getBytes(getAddress(reader)), 104);
  new DataView(aad.buffer).setUint32(124, version);
  return aad;
}
