import type { BackboneSpec, ComplexType, ElementRule } from "./element-rules.js";
import { ELEMENT_BASE, backbone, has, hasChoice, many, optional, reference, required } from "./element-rules.js";
import type { JsonObject, JsonValue } from "./json-value.js";
import { isJsonObject } from "./json-value.js";
import { compareDateTimes } from "./primitive-formats.js";
import { IDENTIFIER_USE, NARRATIVE_STATUS, QUANTITY_COMPARATOR } from "./value-sets.js";

const UCUM = "http://unitsofmeasure.org";

function datatype(
  elements: Readonly<Record<string, ElementRule>>,
  rest: Omit<BackboneSpec, "elements"> = {},
): BackboneSpec {
  return { elements: { ...ELEMENT_BASE, ...elements }, ...rest };
}

const QUANTITY_ELEMENTS: Readonly<Record<string, ElementRule>> = {
  value: optional("decimal"),
  comparator: optional("code", { valueSet: QUANTITY_COMPARATOR }),
  unit: optional("string"),
  system: optional("uri"),
  code: optional("code"),
};

const qty3 = { key: "qty-3", at: "system", holds: (node: JsonObject) => !has(node, "code") || has(node, "system") };

function quantityValue(value: JsonValue | undefined): { value: number; unit: string } | undefined {
  if (!isJsonObject(value) || typeof value.value !== "number") {
    return undefined;
  }
  const unit = `${String(value.system ?? "")}|${String(value.code ?? value.unit ?? "")}`;
  return { value: value.value, unit };
}

/** Specs of the R4 general-purpose datatypes, keyed by type name. */
export const DATATYPE_SPECS: Readonly<Partial<Record<ComplexType, BackboneSpec>>> = {
  Extension: datatype(
    { url: required("uri"), extension: many("Extension") },
    {
      choices: { value: { types: "any" } },
      invariants: [{ key: "ext-1", holds: (node) => has(node, "extension") !== hasChoice(node, "value") }],
    },
  ),
  Coding: datatype({
    system: optional("uri"),
    version: optional("string"),
    code: optional("code"),
    display: optional("string"),
    userSelected: optional("boolean"),
  }),
  CodeableConcept: datatype({ coding: many("Coding"), text: optional("string") }),
  Identifier: datatype({
    use: optional("code", { valueSet: IDENTIFIER_USE }),
    type: optional("CodeableConcept"),
    system: optional("uri"),
    value: optional("string"),
    period: optional("Period"),
    assigner: reference(["Organization"]),
  }),
  Period: datatype(
    { start: optional("dateTime"), end: optional("dateTime") },
    {
      invariants: [
        {
          key: "per-1",
          at: "end",
          holds: (node) =>
            typeof node.start !== "string" ||
            typeof node.end !== "string" ||
            (compareDateTimes(node.start, node.end) ?? 0) <= 0,
        },
      ],
    },
  ),
  Quantity: datatype(QUANTITY_ELEMENTS, { invariants: [qty3] }),
  SimpleQuantity: datatype(QUANTITY_ELEMENTS, {
    invariants: [qty3, { key: "sqty-1", at: "comparator", holds: (node) => !has(node, "comparator") }],
  }),
  Duration: datatype(QUANTITY_ELEMENTS, {
    invariants: [
      qty3,
      {
        key: "drt-1",
        holds: (node) => !has(node, "code") || (node.system === UCUM && has(node, "value")),
      },
    ],
  }),
  Range: datatype(
    { low: optional("SimpleQuantity"), high: optional("SimpleQuantity") },
    {
      invariants: [
        {
          key: "rng-2",
          at: "high",
          holds: (node) => {
            const low = quantityValue(node.low);
            const high = quantityValue(node.high);
            return low === undefined || high === undefined || low.unit !== high.unit || low.value <= high.value;
          },
        },
      ],
    },
  ),
  Ratio: datatype(
    { numerator: optional("Quantity"), denominator: optional("Quantity") },
    {
      invariants: [
        {
          key: "rat-1",
          holds: (node) =>
            has(node, "numerator") === has(node, "denominator") && (has(node, "numerator") || has(node, "extension")),
        },
      ],
    },
  ),
  Annotation: datatype(
    { time: optional("dateTime"), text: required("markdown") },
    {
      choices: {
        author: {
          types: ["Reference", "string"],
          targets: ["Practitioner", "Patient", "RelatedPerson", "Organization"],
        },
      },
    },
  ),
  Attachment: datatype(
    {
      contentType: optional("code"),
      language: optional("code"),
      data: optional("base64Binary"),
      url: optional("url"),
      size: optional("unsignedInt"),
      hash: optional("base64Binary"),
      title: optional("string"),
      creation: optional("dateTime"),
    },
    {
      invariants: [
        { key: "att-1", at: "contentType", holds: (node) => !has(node, "data") || has(node, "contentType") },
      ],
    },
  ),
  Reference: datatype({
    reference: optional("string"),
    type: optional("uri"),
    identifier: optional("Identifier"),
    display: optional("string"),
  }),
  Narrative: datatype({
    status: required("code", { valueSet: NARRATIVE_STATUS }),
    div: required("xhtml"),
  }),
  Meta: datatype({
    versionId: optional("id"),
    lastUpdated: optional("instant"),
    source: optional("uri"),
    profile: many("canonical"),
    security: many("Coding"),
    tag: many("Coding"),
  }),
  SampledData: datatype({
    origin: required("SimpleQuantity"),
    period: required("decimal"),
    factor: optional("decimal"),
    lowerLimit: optional("decimal"),
    upperLimit: optional("decimal"),
    dimensions: required("positiveInt"),
    data: optional("string"),
  }),
  Timing: backbone({ event: many("dateTime"), repeat: optional("Element"), code: optional("CodeableConcept") }),
  Dosage: backbone(
    {
      sequence: optional("integer"),
      text: optional("string"),
      additionalInstruction: many("CodeableConcept"),
      patientInstruction: optional("string"),
      timing: optional("Timing"),
      site: optional("CodeableConcept"),
      route: optional("CodeableConcept"),
      method: optional("CodeableConcept"),
      doseAndRate: many(
        backbone(
          { type: optional("CodeableConcept") },
          {
            choices: {
              dose: { types: ["Range", "SimpleQuantity"] },
              rate: { types: ["Ratio", "Range", "SimpleQuantity"] },
            },
          },
        ),
      ),
      maxDosePerPeriod: optional("Ratio"),
      maxDosePerAdministration: optional("SimpleQuantity"),
      maxDosePerLifetime: optional("SimpleQuantity"),
    },
    { choices: { asNeeded: { types: ["boolean", "CodeableConcept"] } } },
  ),
};
