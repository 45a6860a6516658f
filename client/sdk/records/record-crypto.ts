import { getBytes, toBeArray, zeroPadValue } from "ethers";

import type { RecordType } from "../../care-types.js";
import { openRecord, sealRecord } from "../../crypto/index.js";
import { unwrapKeyCached, wrapKeyCached } from "./cached-key-wrap.js";

/** A reader a data key is wrapped for. */
export interface Recipient {
  readonly address: string;
  /** Verified secp256k1 public key (0x-hex). */
  readonly publicKey: string;
}

export interface WrappedFor {
  readonly reader: string;
  readonly bytes: Uint8Array;
}

/** A sealed record before anything is stored: the data key is already wrapped and discarded. */
export interface SealedDraft {
  readonly envelopeBytes: Uint8Array;
  readonly commitment: string;
  readonly wrapped: readonly WrappedFor[];
}

/**
 * The record cryptography the SDK needs, shaped so that data keys never leave it: sealing returns
 * only wrapped keys, opening takes a wrapped key. `InlineRecordCrypto` runs on the calling thread;
 * `WorkerRecordCrypto` spreads the secp256k1 work over worker threads.
 */
export interface RecordCrypto {
  seal(plaintext: Uint8Array, context: Uint8Array, recipients: readonly Recipient[]): Promise<SealedDraft>;
  open(input: OpenInput): Promise<Uint8Array>;
  rewrap(input: RewrapInput): Promise<WrappedFor[]>;
  close(): Promise<void>;
}

export interface OpenInput {
  readonly envelopeBytes: Uint8Array;
  readonly wrappedKey: Uint8Array;
  readonly privateKey: string;
  readonly context: Uint8Array;
  readonly commitment: string;
}

export interface RewrapInput {
  readonly wrappedKey: Uint8Array;
  readonly privateKey: string;
  readonly commitment: string;
  readonly recipients: readonly Recipient[];
}

const CONTEXT_LABEL = new TextEncoder().encode("CareLedger/record-context/v1");

/**
 * The AEAD context of a record: label || chainId (32) || registry (20) || patient (20) || type (1).
 * An envelope copied to another chain, deployment, patient or record type does not decrypt.
 */
export function recordContext(chainId: bigint, registry: string, patient: string, recordType: RecordType): Uint8Array {
  const context = new Uint8Array(CONTEXT_LABEL.length + 32 + 20 + 20 + 1);
  let offset = 0;
  context.set(CONTEXT_LABEL, offset);
  offset += CONTEXT_LABEL.length;
  context.set(getBytes(zeroPadValue(toBeArray(chainId), 32)), offset);
  offset += 32;
  context.set(getBytes(registry), offset);
  offset += 20;
  context.set(getBytes(patient), offset);
  offset += 20;
  context[offset] = recordType;
  return context;
}

/** Seals a plaintext and wraps its fresh data key for every recipient; the key is then zeroed. */
export function sealAndWrap(plaintext: Uint8Array, context: Uint8Array, recipients: readonly Recipient[]): SealedDraft {
  const sealed = sealRecord({ plaintext, context });
  try {
    const wrapped = recipients.map((recipient) => ({
      reader: recipient.address,
      bytes: wrapKeyCached({
        recipientPublicKey: recipient.publicKey,
        recipientAddress: recipient.address,
        dataKey: sealed.dataKey,
        commitment: sealed.commitment,
      }),
    }));
    return { envelopeBytes: sealed.envelopeBytes, commitment: sealed.commitment, wrapped };
  } finally {
    sealed.dataKey.fill(0);
  }
}

/** Unwraps the reader's key and opens the envelope, verifying the commitment first. */
export function unwrapAndOpen(input: OpenInput): Uint8Array {
  const dataKey = unwrapKeyCached({
    privateKey: input.privateKey,
    wrapped: input.wrappedKey,
    commitment: input.commitment,
  });
  try {
    return openRecord({
      envelopeBytes: input.envelopeBytes,
      dataKey,
      context: input.context,
      expectedCommitment: input.commitment as `0x${string}`,
    });
  } finally {
    dataKey.fill(0);
  }
}

/** Unwraps the caller's key and wraps it again for other readers. */
export function rewrapKey(input: RewrapInput): WrappedFor[] {
  const dataKey = unwrapKeyCached({
    privateKey: input.privateKey,
    wrapped: input.wrappedKey,
    commitment: input.commitment,
  });
  try {
    return input.recipients.map((recipient) => ({
      reader: recipient.address,
      bytes: wrapKeyCached({
        recipientPublicKey: recipient.publicKey,
        recipientAddress: recipient.address,
        dataKey,
        commitment: input.commitment,
      }),
    }));
  } finally {
    dataKey.fill(0);
  }
}

/** Runs every operation on the calling thread. */
export class InlineRecordCrypto implements RecordCrypto {
  async seal(plaintext: Uint8Array, context: Uint8Array, recipients: readonly Recipient[]): Promise<SealedDraft> {
    return Promise.resolve(sealAndWrap(plaintext, context, recipients));
  }

  async open(input: OpenInput): Promise<Uint8Array> {
    return Promise.resolve(unwrapAndOpen(input));
  }

  async rewrap(input: RewrapInput): Promise<WrappedFor[]> {
    return Promise.resolve(rewrapKey(input));
  }

  async close(): Promise<void> {
    await Promise.resolve();
  }
}
