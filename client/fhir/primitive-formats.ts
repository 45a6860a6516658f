/**
 * R4 formats (datatypes.html) that @medplum/core's validator applies more loosely than R4:
 * - dateTime: Medplum accepts a time without its zone and hours without minutes; R4 requires
 *   both once a time is given.
 * - xhtml: Medplum accepts any text (txt-1 and txt-2 call `htmlChecks()`, which it answers
 *   true); R4 requires a `div` in the XHTML namespace.
 * - Resource.id: R4's own StructureDefinitions type it `string` (fixed in R4B), so Medplum
 *   checks it as a string; the R4 specification says `id`.
 * Regular expressions are R4's own, anchored.
 */
const YEAR = "([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)";
const MONTH = "(0[1-9]|1[0-2])";
const DAY = "(0[1-9]|[1-2][0-9]|3[0-1])";
const TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?";
const ZONE = "(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))";
const DATE_TIME_RE = new RegExp(`^${YEAR}(-${MONTH}(-${DAY}(T${TIME}${ZONE})?)?)?$`);
const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;
const XHTML_DIV_RE = /^<div\b[^>]*\bxmlns="http:\/\/www\.w3\.org\/1999\/xhtml"[^>]*>[\s\S]*<\/div>$/;

export function isR4DateTime(text: string): boolean {
  return DATE_TIME_RE.test(text);
}

export function isR4Id(text: string): boolean {
  return ID_RE.test(text);
}

export function isR4XhtmlDiv(text: string): boolean {
  return XHTML_DIV_RE.test(text.trim());
}
