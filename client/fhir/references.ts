/** Shapes of `Reference.reference` that CareLedger accepts, and the resource type each names. */
export type LiteralReference =
  | { readonly kind: "contained"; readonly id: string | undefined }
  | { readonly kind: "relative" | "absolute"; readonly resourceType: string }
  | { readonly kind: "urn" };

const ID = "[A-Za-z0-9\\-.]{1,64}";
const RESOURCE_PATH = `([A-Z][A-Za-z]{1,63})/${ID}(/_history/${ID})?`;
const RELATIVE_RE = new RegExp(`^${RESOURCE_PATH}$`);
// R4 allows a service base of any http(s) URL before Type/id.
const ABSOLUTE_RE = new RegExp(`^https?://[A-Za-z0-9\\-.:%$_~/]+/${RESOURCE_PATH}$`);
const CONTAINED_RE = new RegExp(`^#(${ID})?$`);
const UUID_URN_RE = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const OID_URN_RE = /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/;

/**
 * Parses a literal reference. Only the forms R4 defines for resolvable references are
 * accepted: `#id` (contained), `Type/id[/_history/vid]`, an http(s) service base followed
 * by `Type/id`, and `urn:uuid:` / `urn:oid:` (Bundle-local). Everything else is rejected,
 * so free text cannot be smuggled into a field other systems treat as an address.
 */
export function parseLiteralReference(reference: string): LiteralReference | undefined {
  const contained = CONTAINED_RE.exec(reference);
  if (contained !== null) {
    return { kind: "contained", id: contained[1] };
  }
  const relative = RELATIVE_RE.exec(reference);
  if (relative !== null) {
    return { kind: "relative", resourceType: relative[1] };
  }
  const absolute = ABSOLUTE_RE.exec(reference);
  if (absolute !== null) {
    return { kind: "absolute", resourceType: absolute[1] };
  }
  if (UUID_URN_RE.test(reference) || OID_URN_RE.test(reference)) {
    return { kind: "urn" };
  }
  return undefined;
}
