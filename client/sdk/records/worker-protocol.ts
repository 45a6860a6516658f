import type { SerializedCryptoError } from "./crypto-errors.js";
import type { OpenInput, Recipient, RewrapInput, SealedDraft, WrappedFor } from "./record-crypto.js";

/** Messages between WorkerRecordCrypto and its worker threads. */
export type CryptoRequest =
  | {
      readonly id: number;
      readonly op: "seal";
      readonly plaintext: Uint8Array;
      readonly context: Uint8Array;
      readonly recipients: readonly Recipient[];
    }
  | { readonly id: number; readonly op: "open"; readonly input: OpenInput }
  | { readonly id: number; readonly op: "rewrap"; readonly input: RewrapInput };

export type CryptoResponse =
  | { readonly id: number; readonly ok: true; readonly op: "seal"; readonly draft: SealedDraft }
  | { readonly id: number; readonly ok: true; readonly op: "open"; readonly plaintext: Uint8Array }
  | { readonly id: number; readonly ok: true; readonly op: "rewrap"; readonly wrapped: WrappedFor[] }
  | { readonly id: number; readonly ok: false; readonly error: SerializedCryptoError };
