export { canonicalize } from "./canonical-json.js";
export type { JsonArray, JsonObject, JsonPrimitive, JsonValue } from "./json-value.js";
export { MAX_JSON_DEPTH, MAX_PAYLOAD_BYTES } from "./limits.js";
export type { FhirResource, KnownFhirResource, KnownResourceType, OtherFhirResource } from "./validate-resource.js";
export { KNOWN_RESOURCE_TYPES, validateAndSerialize, validateResource } from "./validate-resource.js";
