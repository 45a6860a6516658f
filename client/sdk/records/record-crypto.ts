import { randomBytes } from "@noble/hashes/utils.js";
import { getBytes, toBeArray, zeroPadValue } from "ethers";

import type { RecordType } from "../../care-types.js";
import { boundPreimageOf, recordCommitmentOf } from "../../crypto/commitment.js";
import { commitmentPreimage, openRecord, sealRecord } from "../../crypto/index.js";
import { DATA_KEY_LENGTH, SALT_LENGTH, parseRecordEnvelope } from "../../crypto/envelope-format.js";
import {
  buildKeySection,
  decodeKeySection,
  type DirectReader,
  type KeySection,
  type RecordBinding,
} from "./record-keys.js";

/**
 * Splits a record's data key among the key custodians; returns the encoded share bundle. The shares
 * are bound to the record's author as well: a custodian checks it against the chain, so whoever
 * anchors a copied salt under a commitment of their own gets nothing released.
 */
export type KeySplitter = (
  dataKey: Uint8Array,
  binding: RecordBinding & { readonly author: string },
) => Promise<Uint8Array>;

/** A sealed record before anything is stored; its data key is already sealed and discarded. */
export interface SealedDraft {
  readonly envelopeBytes: Uint8Array;
  /**
   * The record commitment: the author bound to the content commitment (recordCommitmentOf), the
   * name the registry gives the record once the author anchors `contentCommitment`.
   */
  readonly commitment: string;
  /** The content commitment, what the anchoring call passes (salted, to the envelope). */
  readonly contentCommitment: string;
  /** The content commitment's 96-byte preimage (salt, envelope hash), stored at its locator. */
  readonly preimage: Uint8Array;
  /** The record commitment's 96-byte preimage (author, content commitment), stored at its locator. */
  readonly boundPreimage: Uint8Array;
  /** The direct readers the key was sealed to. */
  readonly readers: readonly string[];
}

export interface SealInput {
  readonly plaintext: Uint8Array;
  readonly context: Uint8Array;
  readonly chainId: bigint;
  readonly registry: string;
  readonly patient: string;
  /** The account that will anchor the record (the batch's author for a batch leaf). */
  readonly author: string;
  readonly readers: readonly DirectReader[];
  /** Absent when no custodians are configured: then only the direct readers can ever open it. */
  readonly split?: KeySplitter;
}

const CONTEXT_LABEL = new TextEncoder().encode("CareLedger/record-context/v2");

/**
 * The AEAD context of a record: label || chainId (32) || registry (20) || patient (20) ||
 * author (20) || type (1). An envelope copied to another chain, deployment, patient, author or
 * record type does not decrypt: in particular, a copy of the content anchored by someone else (its
 * record commitment bound to that someone) never opens as that someone's record.
 */
export function recordContext(
  chainId: bigint,
  registry: string,
  patient: string,
  author: string,
  recordType: RecordType,
): Uint8Array {
  const context = new Uint8Array(CONTEXT_LABEL.length + 32 + 20 + 20 + 20 + 1);
  let offset = 0;
  context.set(CONTEXT_LABEL, offset);
  offset += CONTEXT_LABEL.length;
  context.set(getBytes(zeroPadValue(toBeArray(chainId), 32)), offset);
  offset += 32;
  for (const account of [registry, patient, author]) {
    context.set(getBytes(account), offset);
    offset += 20;
  }
  context[offset] = recordType;
  return context;
}

/**
 * Seals a plaintext under a fresh data key, seals the key to the direct readers and splits it among
 * the custodians, all inside the envelope's authenticated key section; the key is then zeroed.
 */
export async function sealWithKeys(input: SealInput): Promise<SealedDraft> {
  const dataKey = randomBytes(DATA_KEY_LENGTH);
  const salt = randomBytes(SALT_LENGTH);
  try {
    const binding: RecordBinding = {
      chainId: input.chainId,
      registry: input.registry,
      patient: input.patient,
      salt,
    };
    const bundle =
      input.split === undefined ? new Uint8Array(0) : await input.split(dataKey, { ...binding, author: input.author });
    const keySection = await buildKeySection(dataKey, input.readers, binding, bundle);
    const sealed = sealRecord({ plaintext: input.plaintext, context: input.context, dataKey, salt, keySection });
    return {
      envelopeBytes: sealed.envelopeBytes,
      commitment: recordCommitmentOf(input.author, sealed.commitment),
      contentCommitment: sealed.commitment,
      preimage: commitmentPreimage(sealed.envelopeBytes),
      boundPreimage: boundPreimageOf(input.author, sealed.commitment),
      readers: input.readers.map((reader) => reader.address),
    };
  } finally {
    dataKey.fill(0);
  }
}

/** The key section and salt of a stored envelope (MalformedEnvelopeError when it has none that parses). */
export function keySectionOf(envelopeBytes: Uint8Array): { section: KeySection; salt: Uint8Array } {
  const parts = parseRecordEnvelope(envelopeBytes);
  return { section: decodeKeySection(parts.keySection), salt: parts.salt.slice() };
}

/**
 * Opens an envelope with its data key after checking it against its content commitment (the one
 * the record commitment on-chain binds to the author).
 */
export function openWithKey(
  envelopeBytes: Uint8Array,
  dataKey: Uint8Array,
  context: Uint8Array,
  contentCommitment: string,
): Uint8Array {
  return openRecord({ envelopeBytes, dataKey, context, expectedCommitment: contentCommitment });
}
