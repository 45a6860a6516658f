import type { FhirViolation } from "../errors.js";
import type { JsonValue } from "./json-value.js";

/** FHIR R4 primitive types that the CareLedger schemas use. */
export type PrimitiveType =
  | "boolean"
  | "integer"
  | "unsignedInt"
  | "positiveInt"
  | "decimal"
  | "string"
  | "markdown"
  | "code"
  | "id"
  | "uri"
  | "url"
  | "canonical"
  | "date"
  | "dateTime"
  | "instant"
  | "time"
  | "base64Binary"
  | "xhtml";

const PRIMITIVE_TYPES: ReadonlySet<string> = new Set<PrimitiveType>([
  "boolean",
  "integer",
  "unsignedInt",
  "positiveInt",
  "decimal",
  "string",
  "markdown",
  "code",
  "id",
  "uri",
  "url",
  "canonical",
  "date",
  "dateTime",
  "instant",
  "time",
  "base64Binary",
  "xhtml",
]);

export function isPrimitiveType(type: string): type is PrimitiveType {
  return PRIMITIVE_TYPES.has(type);
}

// The regular expressions below are R4's own (datatypes.html), anchored.
const YEAR = "([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)";
const MONTH = "(0[1-9]|1[0-2])";
const DAY = "(0[1-9]|[1-2][0-9]|3[0-1])";
const TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?";
const ZONE = "(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))";
const DATE_RE = new RegExp(`^${YEAR}(-${MONTH}(-${DAY})?)?$`);
const DATE_TIME_RE = new RegExp(`^${YEAR}(-${MONTH}(-${DAY}(T${TIME}${ZONE})?)?)?$`);
const INSTANT_RE = new RegExp(`^${YEAR}-${MONTH}-${DAY}T${TIME}${ZONE}$`);
const TIME_RE = new RegExp(`^${TIME}$`);
const CODE_RE = /^[^\s]+(\s[^\s]+)*$/;
const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;
const URI_RE = /^\S+$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const XHTML_DIV_RE = /^<div\b[^>]*\bxmlns="http:\/\/www\.w3\.org\/1999\/xhtml"[^>]*>[\s\S]*<\/div>$/;

const INT32_MAX = 2_147_483_647;
const INT32_MIN = -2_147_483_648;

/** Checks one primitive value; returns the violation, or undefined when it is valid. */
export function checkPrimitive(type: PrimitiveType, value: JsonValue): FhirViolation | undefined {
  switch (type) {
    case "boolean":
      return typeof value === "boolean" ? undefined : "wrong-type";
    case "decimal":
      return typeof value === "number" ? undefined : "wrong-type";
    case "integer":
      return checkInteger(value, INT32_MIN);
    case "unsignedInt":
      return checkInteger(value, 0);
    case "positiveInt":
      return checkInteger(value, 1);
    default:
      break;
  }
  if (typeof value !== "string") {
    return "wrong-type";
  }
  return stringFormatIsValid(type, value) ? undefined : "invalid-format";
}

function checkInteger(value: JsonValue, minimum: number): FhirViolation | undefined {
  if (typeof value !== "number") {
    return "wrong-type";
  }
  return Number.isInteger(value) && value >= minimum && value <= INT32_MAX ? undefined : "invalid-format";
}

function stringFormatIsValid(type: PrimitiveType, text: string): boolean {
  switch (type) {
    case "code":
      return CODE_RE.test(text);
    case "id":
      return ID_RE.test(text);
    case "uri":
    case "url":
    case "canonical":
      return URI_RE.test(text);
    case "date":
      return DATE_RE.test(text) && calendarDateIsValid(text);
    case "dateTime":
      return DATE_TIME_RE.test(text) && calendarDateIsValid(text);
    case "instant":
      return INSTANT_RE.test(text) && calendarDateIsValid(text);
    case "time":
      return TIME_RE.test(text);
    case "base64Binary":
      return base64IsValid(text);
    case "xhtml":
      return XHTML_DIV_RE.test(text.trim());
    default:
      // string and markdown: the structural pass already enforced non-empty, well-formed text.
      return true;
  }
}

/** "Dates SHALL be valid dates": the regexes allow 2023-02-31, this does not. */
function calendarDateIsValid(text: string): boolean {
  if (text.length < 10) {
    return true;
  }
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function base64IsValid(text: string): boolean {
  const compact = text.replace(/\s+/g, "");
  return compact.length > 0 && compact.length % 4 === 0 && BASE64_RE.test(compact);
}

/**
 * Orders two R4 dateTimes when the order is certain: both carry a time and zone, or both
 * have the same partial precision. Returns undefined when FHIRPath would return empty.
 */
export function compareDateTimes(a: string, b: string): number | undefined {
  const aHasTime = a.length > 10;
  const bHasTime = b.length > 10;
  if (aHasTime && bHasTime) {
    const difference = Date.parse(a) - Date.parse(b);
    // Leap seconds (":60") and extreme fractions are valid R4 but not parseable here.
    return Number.isNaN(difference) ? undefined : Math.sign(difference);
  }
  if (!aHasTime && !bHasTime && a.length === b.length) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return undefined;
}
