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
export type { KeyInput, RecipientPublicKey } from "./ethereum-keys.js";
export {
  addressOfPublicKey,
  assertPublicKeyMatchesAddress,
  parseAddress,
  parsePrivateKey,
  parsePublicKey,
  publicKeyOfPrivateKey,
  toChecksumAddress,
} from "./ethereum-keys.js";
export type { UnwrapKeyInput, WrapKeyInput } from "./key-wrap.js";
export { WRAPPED_KEY_LENGTH, WRAPPED_KEY_MAGIC, WRAPPED_KEY_VERSION, unwrapKey, wrapKey } from "./key-wrap.js";
export type { OpenRecordInput, SealRecordInput, SealedRecord } from "./record-envelope.js";
export { openRecord, sealRecord } from "./record-envelope.js";
