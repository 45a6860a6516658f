import canonicalizeJson from "canonicalize";

import type { JsonValue } from "./json-value.js";

const utf8 = new TextEncoder();

/**
 * RFC 8785 (JSON Canonicalization Scheme) serialisation, UTF-8 encoded.
 *
 * Uses the `canonicalize` package by one of RFC 8785's authors: properties sorted by
 * UTF-16 code units, numbers in ECMAScript Number-to-String form, minimal string escaping,
 * no whitespace. Callers must pass what `copyFhirJsonShape` returned, which already
 * rules out what the package would otherwise silently drop or transform (undefined,
 * functions, toJSON methods, boxed primitives) or throw on (NaN, lone surrogates).
 */
export function serializeCanonicalJson(value: JsonValue): Uint8Array {
  const text = canonicalizeJson(value);
  if (text === undefined) {
    // Unreachable for validated input: only undefined-like values have no serialisation.
    throw new TypeError("value has no JSON serialisation");
  }
  return utf8.encode(text);
}
