import { InvalidFhirResourceError } from "../errors.js";
import type { JsonObject, JsonValue } from "./json-value.js";
import { MAX_JSON_DEPTH } from "./limits.js";

/**
 * FHIR JSON element names: letters and digits starting with a letter, at most 64 characters
 * (R4 eld-20), optionally prefixed by `_` for the extension sibling of a primitive.
 * `__proto__`, `constructor`-style tricks and anything with punctuation fail here.
 */
const ELEMENT_NAME = /^_?[A-Za-z][A-Za-z0-9]{0,63}$/;

/** Names of Object.prototype members: valid-looking element names that no FHIR element uses. */
const PROTOTYPE_NAMES = new Set(["constructor", "prototype", "toString", "valueOf", "hasOwnProperty"]);

export function isElementName(key: string): boolean {
  return ELEMENT_NAME.test(key) && !PROTOTYPE_NAMES.has(key.replace(/^_/, ""));
}

/**
 * Structural pass over untrusted input, run before any schema rule.
 *
 * Accepts only what JSON.parse could have produced and FHIR JSON allows:
 * plain objects (no class instances, getters or symbol keys), dense arrays, finite
 * numbers, booleans, well-formed strings; keys that are element names; no empty
 * objects, arrays or strings (FHIR forbids them, ele-1); `null` only inside a primitive
 * array whose `_name` sibling carries the extension for that slot.
 *
 * Returns a copy built from the single read of each property made here. Validation and
 * serialisation work on that copy, so an exotic object (a Proxy, which no browser-safe check can
 * detect) cannot show the checks one value and the serialiser another.
 *
 * Unicode policy (applied to every string, free text included):
 * - lone UTF-16 surrogates are rejected: they have no UTF-8 encoding, so the canonical
 *   bytes, the ciphertext and the commitment would be undefined;
 * - C0 control characters other than TAB, LF and CR (NUL included) are rejected, as R4
 *   says strings should not contain them and XML cannot carry them;
 * - everything else is accepted unchanged, including bidirectional controls (U+202E etc.),
 *   which Arabic and Hebrew clinical text legitimately needs. No normalisation is applied:
 *   the committed bytes are exactly what the writer sent. Structured values (ids, codes,
 *   references, dates) are held to their ASCII R4 formats by the schema pass, so bidi
 *   tricks cannot hide in them; displays must isolate free text (e.g. `<bdi>`).
 */
export function copyFhirJsonShape(value: unknown, rootPath: string): JsonObject {
  if (!isPlainObject(value)) {
    throw new InvalidFhirResourceError(rootPath, "not-json");
  }
  return checkObject(value, rootPath, 1);
}

function checkValue(value: unknown, path: string, depth: number, nullAllowed: boolean): JsonValue {
  switch (typeof value) {
    case "string":
      checkString(value, path);
      return value;
    case "number":
      if (!Number.isFinite(value)) {
        throw new InvalidFhirResourceError(path, "not-json");
      }
      return value;
    case "boolean":
      return value;
    case "object":
      if (value === null) {
        if (!nullAllowed) {
          throw new InvalidFhirResourceError(path, "unexpected-null");
        }
        return value;
      }
      if (depth > MAX_JSON_DEPTH) {
        throw new InvalidFhirResourceError(path, "too-deep");
      }
      if (Array.isArray(value)) {
        throw new InvalidFhirResourceError(path, "wrong-type");
      }
      if (!isPlainObject(value)) {
        throw new InvalidFhirResourceError(path, "not-json");
      }
      return checkObject(value, path, depth);
    default:
      // undefined, functions, symbols and bigints have no JSON form.
      throw new InvalidFhirResourceError(path, "not-json");
  }
}

function checkObject(object: object, path: string, depth: number): JsonObject {
  const copy: Record<string, JsonValue> = {};
  const keys = Reflect.ownKeys(object);
  if (keys.length === 0) {
    throw new InvalidFhirResourceError(path, "empty");
  }
  for (const key of keys) {
    if (typeof key !== "string") {
      throw new InvalidFhirResourceError(path, "not-json");
    }
    if (!isElementName(key)) {
      throw new InvalidFhirResourceError(path, "invalid-element-name");
    }
    const descriptor = Object.getOwnPropertyDescriptor(object, key);
    // Getters could run code or return a different value on the next read.
    if (descriptor === undefined || !("value" in descriptor) || descriptor.enumerable !== true) {
      throw new InvalidFhirResourceError(`${path}.${key}`, "not-json");
    }
    const child: unknown = descriptor.value;
    const elementPath = `${path}.${key}`;
    // A data property, not assignment: the name check above already keeps out `__proto__`,
    // and this keeps the copy safe even if that check is ever loosened.
    Object.defineProperty(copy, key, {
      value: Array.isArray(child)
        ? checkArray(child, elementPath, depth + 1, primitiveCounterpart(object, key))
        : checkValue(child, elementPath, depth + 1, false),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

function checkArray(array: unknown[], path: string, depth: number, counterpart: unknown[] | undefined): JsonValue[] {
  if (depth > MAX_JSON_DEPTH) {
    throw new InvalidFhirResourceError(path, "too-deep");
  }
  if (Object.getPrototypeOf(array) !== Array.prototype) {
    throw new InvalidFhirResourceError(path, "not-json");
  }
  // Own keys of a dense plain array are its indices plus `length`; anything else is
  // a hole or an extra property. The length is read once so it cannot change mid-copy.
  const length = array.length;
  if (Reflect.ownKeys(array).length !== length + 1) {
    throw new InvalidFhirResourceError(path, "not-json");
  }
  if (length === 0) {
    throw new InvalidFhirResourceError(path, "empty");
  }
  const copy: JsonValue[] = [];
  for (let index = 0; index < length; index++) {
    const itemPath = `${path}[${index}]`;
    const descriptor = Object.getOwnPropertyDescriptor(array, index);
    if (descriptor === undefined || !("value" in descriptor)) {
      throw new InvalidFhirResourceError(itemPath, "not-json");
    }
    const item: unknown = descriptor.value;
    if (Array.isArray(item)) {
      // FHIR has no arrays of arrays.
      throw new InvalidFhirResourceError(itemPath, "wrong-type");
    }
    const nullAllowed = counterpart !== undefined && counterpart[index] !== null && counterpart[index] !== undefined;
    copy.push(checkValue(item, itemPath, depth + 1, nullAllowed));
  }
  return copy;
}

/** `given` pairs with `_given` and vice versa; only arrays pair. */
function primitiveCounterpart(object: object, key: string): unknown[] | undefined {
  const otherKey = key.startsWith("_") ? key.slice(1) : `_${key}`;
  const other: unknown = Object.getOwnPropertyDescriptor(object, otherKey)?.value;
  return Array.isArray(other) ? other : undefined;
}

function checkString(text: string, path: string): void {
  if (text.length === 0) {
    throw new InvalidFhirResourceError(path, "empty");
  }
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0x20 && unit !== 0x09 && unit !== 0x0a && unit !== 0x0d) {
      throw new InvalidFhirResourceError(path, "control-character");
    }
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = index + 1 < text.length ? text.charCodeAt(index + 1) : 0;
      if (next < 0xdc00 || next > 0xdfff) {
        throw new InvalidFhirResourceError(path, "lone-surrogate");
      }
      index++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      throw new InvalidFhirResourceError(path, "lone-surrogate");
    }
  }
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return false;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
