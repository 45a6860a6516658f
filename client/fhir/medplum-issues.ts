import type { FhirViolation } from "../errors.js";
import { InvalidFhirResourceError } from "../errors.js";

/** The parts of an R4 OperationOutcome issue that @medplum/core's validator fills in. */
export interface ValidationIssue {
  readonly severity?: string;
  readonly code?: string;
  readonly details?: { readonly text?: string };
  readonly expression?: readonly string[];
}

const UNKNOWN_ELEMENT = "Invalid additional property";
const CONSTRAINT_KEY = /^Constraint (\S+) not met/;

/**
 * Medplum's validator reports every problem as issue code `structure` with an English
 * sentence, so the sentence's opening words are the only thing that tells them apart. Each
 * entry is exercised by a test, so a Medplum upgrade that rewords one fails loudly. Issues the
 * hostile-input guard makes unreachable (empty values, nulls) are not listed.
 */
const STRUCTURE_VIOLATIONS: readonly (readonly [string, FhirViolation])[] = [
  ["Missing required property", "required"],
  ["Expected array of values", "expected-array"],
  ["Expected single value", "expected-single"],
  ["String must contain non-whitespace", "empty"],
  ["Invalid JSON type", "wrong-type"],
  [UNKNOWN_ELEMENT, "invalid-element-name"],
];

/**
 * The InvalidFhirResourceError for the first error among Medplum's issues. An unknown element
 * is reported ahead of the rest, since it is usually their cause (`medicationString` is also a
 * missing `medication[x]`); its key is not echoed, as the path rule of InvalidFhirResourceError
 * requires for any key that is not an element of the type.
 */
export function errorFromIssues(issues: readonly ValidationIssue[]): InvalidFhirResourceError | undefined {
  const errors = issues.filter((issue) => issue.severity === "error" || issue.severity === "fatal");
  const issue = errors.find((candidate) => textOf(candidate).startsWith(UNKNOWN_ELEMENT)) ?? errors[0];
  if (issue === undefined) return undefined;
  const path = issue.expression?.[0] ?? "Resource";
  const text = textOf(issue);
  if (issue.code === "invariant" || issue.code === "processing") {
    // `processing` is an invariant Medplum could not evaluate; it counts as not met.
    return new InvalidFhirResourceError(path, "constraint", CONSTRAINT_KEY.exec(text)?.[1]);
  }
  const violation = STRUCTURE_VIOLATIONS.find(([opening]) => text.startsWith(opening))?.[1] ?? "invalid-format";
  if (violation === "invalid-element-name") {
    return new InvalidFhirResourceError(path.slice(0, Math.max(path.lastIndexOf("."), 0)) || "Resource", violation);
  }
  // What remains is a primitive out of its R4 format or range ("Invalid date format",
  // "Expected number to be an integer", "Invalid base64Binary format").
  return new InvalidFhirResourceError(path, violation);
}

function textOf(issue: ValidationIssue): string {
  return issue.details?.text ?? "";
}
