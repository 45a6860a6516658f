import type { FhirResource } from "./validate-resource.js";
import { validateAndSerialize } from "./validate-resource.js";

/**
 * The canonical bytes of a resource: RFC 8785 JSON, UTF-8. These are the bytes CareLedger
 * encrypts and commits to, so two writers holding the same resource produce the same bytes.
 *
 * Validates first (the argument's static type is no guarantee at run time) and throws the
 * same errors as `validateResource`, including PayloadTooLargeError above MAX_PAYLOAD_BYTES.
 *
 * Caveat inherited from JSON numbers: FHIR decimals keep their precision ("1.50" differs
 * from "1.5"), but JSON.parse has already reduced them to IEEE doubles, and RFC 8785 writes
 * the shortest round-trip form. Writers that need trailing zeros must use an extension.
 */
export function canonicalize(resource: FhirResource): Uint8Array {
  return validateAndSerialize(resource).canonicalBytes;
}
