export type { Hex } from "./bytes.js";
export { fromHex, toHex } from "./bytes.js";
export {
  COMMITMENT_DOMAIN_TAG,
  COMMITMENT_PREIMAGE_LENGTH,
  commitmentOf,
  commitmentPreimage,
  computeCommitment,
  envelopeRefOf,
  locatorRefOf,
  parseCommitmentPreimage,
  preimageOf,
  verifyCommitment,
} from "./commitment.js";
export type { RecordEnvelopeParts } from "./envelope-format.js";
export {
  DATA_KEY_LENGTH,
  MAX_KEY_SECTION_LENGTH,
  RECORD_ENVELOPE_HEADER_LENGTH,
  RECORD_ENVELOPE_MAGIC,
  RECORD_ENVELOPE_OVERHEAD,
  RECORD_ENVELOPE_VERSION,
  parseRecordEnvelope,
} from "./envelope-format.js";
export type { OpenRecordInput, SealRecordInput, SealedRecord } from "./record-envelope.js";
export { openRecord, sealRecord } from "./record-envelope.js";
