/**
 * Largest FHIR payload CareLedger accepts, measured as the UTF-8 byte length of the
 * resource's RFC 8785 canonical JSON (the exact bytes that get encrypted and committed).
 *
 * 1 MiB keeps one sealed record (payload + 77 bytes of envelope) within a single
 * content-addressed block for IPFS backends and matches FHIR's own ceiling of 1 MB for a
 * single string. Larger documents (scans, imaging) belong in a separate attachment store,
 * referenced from a DocumentReference by URL and hash.
 */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/**
 * Deepest nesting of JSON objects and arrays accepted in a resource (the resource itself is
 * depth 1). Real R4 resources stay well under 20 even with nested Consent provisions and
 * extensions; the limit bounds recursion on hostile input.
 */
export const MAX_JSON_DEPTH = 64;
