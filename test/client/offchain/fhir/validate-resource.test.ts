import { indexStructureDefinitionBundle, validateResource as validateWithMedplum } from "@medplum/core";
import { expect } from "chai";

import { InvalidFhirResourceError } from "../../../../client/errors.js";
import type { FhirViolation } from "../../../../client/errors.js";
import { KNOWN_RESOURCE_TYPES, validateResource } from "../../../../client/fhir/index.js";
import { expectThrows } from "../helpers/expect-error.js";
import {
  VALID_RESOURCES,
  consent,
  diagnosticReport,
  documentReference,
  medicationDispense,
  medicationRequest,
  mutable,
  observation,
  serviceRequest,
} from "./fixtures.js";

interface RejectionCase {
  readonly title: string;
  readonly build: () => object;
  readonly path: string;
  readonly violation: FhirViolation;
  readonly constraint?: string;
}

/** Applies `change` to a fresh fixture and returns it. */
function variant<T extends object>(make: () => T, change: (resource: Record<string, unknown>) => void): () => object {
  return () => {
    const resource = mutable(make());
    change(resource);
    return resource;
  };
}

function expectRejected(rejection: RejectionCase): void {
  const error = expectThrows(() => validateResource(rejection.build()), InvalidFhirResourceError);
  expect(error.code).to.equal("INVALID_FHIR_RESOURCE");
  expect({ path: error.path, violation: error.violation, constraint: error.constraint }).to.deep.equal({
    path: rejection.path,
    violation: rejection.violation,
    constraint: rejection.constraint,
  });
}

describe("validateResource", function () {
  describe("with valid resources", function () {
    for (const [resourceType, make] of Object.entries(VALID_RESOURCES)) {
      it(`accepts a valid ${resourceType} and returns it unchanged`, function () {
        const resource = make();
        const snapshot = structuredClone(resource);
        const validated = validateResource(resource);
        expect(validated).to.equal(resource);
        expect(resource).to.deep.equal(snapshot);
      });
    }

    it("covers every resource type CareLedger writes", function () {
      expect([...KNOWN_RESOURCE_TYPES].sort()).to.deep.equal(Object.keys(VALID_RESOURCES).sort());
    });

    it("accepts a contained Medication referenced locally", function () {
      const resource = mutable(medicationRequest());
      delete resource.medicationCodeableConcept;
      resource.contained = [{ resourceType: "Medication", id: "med-1", code: { text: "Amlodipine" } }];
      resource.medicationReference = { reference: "#med-1" };
      expect(validateResource(resource)).to.equal(resource);
    });

    it("accepts absolute, urn:uuid and urn:oid references", function () {
      for (const reference of [
        "https://fhir.example.org/r4/Patient/p-1",
        "https://fhir.example.org/r4/Patient/p-1/_history/3",
        "urn:uuid:4b8a1bfa-5b33-4e1c-9a6e-0f3c1c7d2a11",
        "urn:oid:1.2.840.113619.6.197",
      ]) {
        const resource = mutable(observation());
        resource.subject = { reference };
        expect(validateResource(resource)).to.equal(resource);
      }
    });

    it("accepts a primitive array slot that is null when its extension slot is present", function () {
      const resource = mutable(medicationRequest());
      resource.instantiatesUri = ["http://example.org/protocol", null];
      resource._instantiatesUri = [null, { extension: [{ url: "http://example.org/why", valueString: "withheld" }] }];
      expect(validateResource(resource)).to.equal(resource);
    });

    it("accepts leap days and a leap second", function () {
      const resource = mutable(observation());
      resource.effectiveDateTime = "2016-12-31T23:59:60Z";
      resource.issued = "2024-02-29T00:00:00Z";
      expect(validateResource(resource)).to.equal(resource);
    });
  });

  describe("resource types", function () {
    const cases: RejectionCase[] = [
      {
        title: "a Patient, an R4 type CareLedger does not write",
        build: () => ({ resourceType: "Patient", id: "p-1", active: true }),
        path: "Patient.resourceType",
        violation: "not-in-value-set",
      },
      {
        title: "a made-up resource type",
        build: () => ({ resourceType: "Zebra", id: "z-1" }),
        path: "Zebra.resourceType",
        violation: "not-in-value-set",
      },
      {
        title: "a contained resource of a type CareLedger has no definition for",
        build: variant(medicationRequest, (r) => (r.contained = [{ resourceType: "Patient", id: "p" }])),
        path: "MedicationRequest.contained[0].resourceType",
        violation: "not-in-value-set",
      },
      {
        title: "a contained resource without a resourceType",
        build: variant(medicationRequest, (r) => (r.contained = [{ id: "m", code: { text: "x" } }])),
        path: "MedicationRequest.contained[0].resourceType",
        violation: "required",
      },
    ];
    for (const rejection of cases) {
      it(`rejects ${rejection.title}`, function () {
        expectRejected(rejection);
      });
    }
  });

  describe("unknown elements", function () {
    const cases: RejectionCase[] = [
      {
        title: "an element the resource type does not have",
        build: variant(medicationRequest, (r) => (r.someFutureElement = { anything: true })),
        path: "MedicationRequest",
        violation: "invalid-element-name",
      },
      {
        title: "an element a datatype does not have",
        build: variant(medicationRequest, (r) => (r.subject = { reference: "Patient/p-1", ward: "4B" })),
        path: "MedicationRequest.subject",
        violation: "invalid-element-name",
      },
      {
        title: "an element a backbone element does not have",
        build: variant(medicationRequest, (r) => (r.dispenseRequest = { numberOfRepeatsAllowed: 1, colour: "red" })),
        path: "MedicationRequest.dispenseRequest",
        violation: "invalid-element-name",
      },
      {
        title: "an element a contained resource does not have",
        build: variant(medicationRequest, (r) => {
          delete r.medicationCodeableConcept;
          r.contained = [{ resourceType: "Medication", id: "m", strength: "5 mg" }];
          r.medicationReference = { reference: "#m" };
        }),
        path: "MedicationRequest.contained[0]",
        violation: "invalid-element-name",
      },
      {
        title: "a primitive extension for an element the type does not have",
        build: variant(
          medicationRequest,
          (r) => (r._colour = { extension: [{ url: "http://e.org", valueCode: "x" }] }),
        ),
        path: "MedicationRequest",
        violation: "invalid-element-name",
      },
      {
        title: "a primitive extension key for a complex element",
        build: variant(medicationRequest, (r) => {
          r.category = [{ text: "community" }];
          r._category = [{ id: "c-1" }];
        }),
        path: "MedicationRequest",
        violation: "invalid-element-name",
      },
    ];
    for (const rejection of cases) {
      it(`rejects ${rejection.title}`, function () {
        expectRejected(rejection);
      });
    }
  });

  describe("required elements and cardinality", function () {
    const cases: RejectionCase[] = [
      {
        title: "MedicationRequest without a subject",
        build: variant(medicationRequest, (r) => delete r.subject),
        path: "MedicationRequest.subject",
        violation: "required",
      },
      {
        title: "MedicationRequest whose subject has no literal reference (CareLedger profile)",
        build: variant(medicationRequest, (r) => (r.subject = { display: "someone" })),
        path: "MedicationRequest.subject.reference",
        violation: "required",
      },
      {
        title: "MedicationRequest without medication[x]",
        build: variant(medicationRequest, (r) => delete r.medicationCodeableConcept),
        path: "MedicationRequest.medication[x]",
        violation: "required",
      },
      {
        title: "MedicationRequest without intent",
        build: variant(medicationRequest, (r) => delete r.intent),
        path: "MedicationRequest.intent",
        violation: "required",
      },
      {
        title: "MedicationRequest without status",
        build: variant(medicationRequest, (r) => delete r.status),
        path: "MedicationRequest.status",
        violation: "required",
      },
      {
        title: "MedicationRequest substitution without allowed[x]",
        build: variant(medicationRequest, (r) => (r.substitution = { reason: { text: "x" } })),
        path: "MedicationRequest.substitution.allowed[x]",
        violation: "required",
      },
      {
        title: "MedicationDispense without medication[x]",
        build: variant(medicationDispense, (r) => delete r.medicationCodeableConcept),
        path: "MedicationDispense.medication[x]",
        violation: "required",
      },
      {
        title: "MedicationDispense performer without actor",
        build: variant(medicationDispense, (r) => (r.performer = [{ function: { text: "packager" } }])),
        path: "MedicationDispense.performer[0].actor",
        violation: "required",
      },
      {
        title: "ServiceRequest without subject",
        build: variant(serviceRequest, (r) => delete r.subject),
        path: "ServiceRequest.subject",
        violation: "required",
      },
      {
        title: "DiagnosticReport without code",
        build: variant(diagnosticReport, (r) => delete r.code),
        path: "DiagnosticReport.code",
        violation: "required",
      },
      {
        title: "Observation without code",
        build: variant(observation, (r) => delete r.code),
        path: "Observation.code",
        violation: "required",
      },
      {
        title: "Observation component without code",
        build: variant(observation, (r) => (r.component = [{ valueString: "x" }])),
        path: "Observation.component[0].code",
        violation: "required",
      },
      {
        title: "Consent without category",
        build: variant(consent, (r) => delete r.category),
        path: "Consent.category",
        violation: "required",
      },
      {
        title: "Consent without scope",
        build: variant(consent, (r) => delete r.scope),
        path: "Consent.scope",
        violation: "required",
      },
      {
        title: "Consent provision actor without role",
        build: variant(consent, (r) => (r.provision = { actor: [{ reference: { reference: "Organization/o-1" } }] })),
        path: "Consent.provision.actor[0].role",
        violation: "required",
      },
      {
        title: "nested Consent provision with an unknown type code",
        build: variant(consent, (r) => (r.provision = { provision: [{ provision: [{ type: "maybe" }] }] })),
        path: "Consent.provision.provision[0].provision[0].type",
        violation: "not-in-value-set",
      },
      {
        title: "DocumentReference without content",
        build: variant(documentReference, (r) => delete r.content),
        path: "DocumentReference.content",
        violation: "required",
      },
      {
        title: "DocumentReference content without attachment",
        build: variant(documentReference, (r) => (r.content = [{ format: { code: "urn:ihe:pcc:xds-ms:2007" } }])),
        path: "DocumentReference.content[0].attachment",
        violation: "required",
      },
      {
        title: "a 0..* element given as a single object",
        build: variant(medicationRequest, (r) => (r.dosageInstruction = { text: "daily" })),
        path: "MedicationRequest.dosageInstruction",
        violation: "expected-array",
      },
      {
        title: "a 0..1 element given as an array",
        build: variant(medicationRequest, (r) => (r.subject = [{ reference: "Patient/p-1" }])),
        path: "MedicationRequest.subject",
        violation: "expected-single",
      },
      {
        title: "a missing resourceType",
        build: variant(medicationRequest, (r) => delete r.resourceType),
        path: "Resource.resourceType",
        violation: "required",
      },
      {
        title: "a resourceType that is not PascalCase ASCII",
        build: () => ({ resourceType: "medication-request" }),
        path: "Resource.resourceType",
        violation: "invalid-format",
      },
      {
        title: "a resourceType that is not a string",
        build: () => ({ resourceType: 7 }),
        path: "Resource.resourceType",
        violation: "wrong-type",
      },
    ];
    for (const rejection of cases) {
      it(`rejects ${rejection.title}`, function () {
        expectRejected(rejection);
      });
    }
  });

  describe("value sets", function () {
    const cases: RejectionCase[] = [
      {
        title: "an unknown MedicationRequest status",
        build: variant(medicationRequest, (r) => (r.status = "filled")),
        path: "MedicationRequest.status",
        violation: "not-in-value-set",
      },
      {
        title: "a ServiceRequest-only intent on a MedicationRequest",
        build: variant(medicationRequest, (r) => (r.intent = "directive")),
        path: "MedicationRequest.intent",
        violation: "not-in-value-set",
      },
      {
        title: "an unknown priority",
        build: variant(serviceRequest, (r) => (r.priority = "whenever")),
        path: "ServiceRequest.priority",
        violation: "not-in-value-set",
      },
      {
        title: "a MedicationRequest status on a MedicationDispense",
        build: variant(medicationDispense, (r) => (r.status = "active")),
        path: "MedicationDispense.status",
        violation: "not-in-value-set",
      },
      {
        title: "an Observation status that only DiagnosticReport has",
        build: variant(observation, (r) => (r.status = "partial")),
        path: "Observation.status",
        violation: "not-in-value-set",
      },
      {
        title: "a status with different case",
        build: variant(diagnosticReport, (r) => (r.status = "Final")),
        path: "DiagnosticReport.status",
        violation: "not-in-value-set",
      },
      {
        title: "an unknown Consent state",
        build: variant(consent, (r) => (r.status = "granted")),
        path: "Consent.status",
        violation: "not-in-value-set",
      },
      {
        title: "an unknown DocumentReference status",
        build: variant(documentReference, (r) => (r.status = "final")),
        path: "DocumentReference.status",
        violation: "not-in-value-set",
      },
      {
        title: "an unknown Identifier use in a datatype",
        build: variant(medicationRequest, (r) => (r.identifier = [{ use: "sometimes", value: "rx-1" }])),
        path: "MedicationRequest.identifier[0].use",
        violation: "not-in-value-set",
      },
      {
        title: "a Timing period unit that is not a unit of time",
        build: variant(medicationRequest, (r) => {
          r.dosageInstruction = [{ timing: { repeat: { frequency: 1, period: 2, periodUnit: "fortnight" } } }];
        }),
        path: "MedicationRequest.dosageInstruction[0].timing.repeat.periodUnit",
        violation: "not-in-value-set",
      },
      {
        title: "an unknown Narrative status",
        build: variant(observation, (r) => {
          r.text = { status: "draft", div: '<div xmlns="http://www.w3.org/1999/xhtml">Glucose 5.4 mmol/L</div>' };
        }),
        path: "Observation.text.status",
        violation: "not-in-value-set",
      },
      {
        title: "an unknown status on a contained Medication",
        build: variant(medicationRequest, (r) => {
          delete r.medicationCodeableConcept;
          r.contained = [{ resourceType: "Medication", id: "m", status: "gone" }];
          r.medicationReference = { reference: "#m" };
        }),
        path: "MedicationRequest.contained[0].status",
        violation: "not-in-value-set",
      },
      {
        title: "an unknown Quantity comparator",
        build: variant(observation, (r) => (r.valueQuantity = { value: 1, comparator: "=" })),
        path: "Observation.value[x].comparator",
        violation: "not-in-value-set",
      },
    ];
    for (const rejection of cases) {
      it(`rejects ${rejection.title}`, function () {
        expectRejected(rejection);
      });
    }
  });

  describe("choice elements", function () {
    const cases: RejectionCase[] = [
      {
        title: "two values for medication[x]",
        build: variant(medicationRequest, (r) => (r.medicationReference = { reference: "Medication/m-1" })),
        path: "MedicationRequest.medication[x]",
        violation: "multiple-choice-values",
      },
      {
        title: "a type medication[x] does not allow, as an element the type does not have",
        build: variant(medicationRequest, (r) => {
          delete r.medicationCodeableConcept;
          r.medicationString = "amlodipine";
        }),
        path: "MedicationRequest",
        violation: "invalid-element-name",
      },
      {
        title: "an Observation value of a type R4 does not allow",
        build: variant(observation, (r) => {
          delete r.valueQuantity;
          r.valueInstant = "2024-01-01T00:00:00Z";
        }),
        path: "Observation",
        violation: "invalid-element-name",
      },
      {
        title: "a choice value given as an array",
        build: variant(observation, (r) => (r.valueQuantity = [{ value: 1 }])),
        path: "Observation.value[x]",
        violation: "expected-single",
      },
      {
        title: "a valueBoolean that is a string",
        build: variant(observation, (r) => {
          delete r.valueQuantity;
          r.valueBoolean = "true";
        }),
        path: "Observation.value[x]",
        violation: "wrong-type",
      },
      {
        title: "a SimpleQuantity with a comparator in a dose",
        build: variant(medicationRequest, (r) => {
          r.dosageInstruction = [{ doseAndRate: [{ doseQuantity: { value: 1, comparator: "<" } }] }];
        }),
        path: "MedicationRequest.dosageInstruction[0].doseAndRate[0].dose[x]",
        violation: "constraint",
        constraint: "sqty-1",
      },
    ];
    for (const rejection of cases) {
      it(`rejects ${rejection.title}`, function () {
        expectRejected(rejection);
      });
    }
  });

  describe("references", function () {
    const cases: RejectionCase[] = [
      {
        title: "a subject that points to a Practitioner",
        build: variant(medicationRequest, (r) => (r.subject = { reference: "Practitioner/dr-1" })),
        path: "MedicationRequest.subject.reference",
        violation: "invalid-reference-target",
      },
      {
        title: "a Reference.type that contradicts the literal reference",
        build: variant(medicationRequest, (r) => (r.subject = { reference: "Patient/p-1", type: "Group" })),
        path: "MedicationRequest.subject.type",
        violation: "invalid-reference-target",
      },
      {
        title: "an authorizing prescription that is not a MedicationRequest",
        build: variant(medicationDispense, (r) => (r.authorizingPrescription = [{ reference: "ServiceRequest/s-1" }])),
        path: "MedicationDispense.authorizingPrescription[0].reference",
        violation: "invalid-reference-target",
      },
      {
        title: "a DiagnosticReport result that is not an Observation",
        build: variant(
          diagnosticReport,
          (r) => (r.result = [{ reference: "Observation/o-1" }, { reference: "Patient/p-1" }]),
        ),
        path: "DiagnosticReport.result[1].reference",
        violation: "invalid-reference-target",
      },
      {
        title: "a reference with free text instead of Type/id",
        build: variant(observation, (r) => (r.subject = { reference: "the patient in bed 4" })),
        path: "Observation.subject.reference",
        violation: "invalid-format",
      },
      {
        title: "a reference id longer than 64 characters",
        build: variant(observation, (r) => (r.subject = { reference: `Patient/${"a".repeat(65)}` })),
        path: "Observation.subject.reference",
        violation: "invalid-format",
      },
      {
        title: "a local reference with no matching contained resource",
        build: variant(medicationRequest, (r) => {
          delete r.medicationCodeableConcept;
          r.medicationReference = { reference: "#missing" };
        }),
        path: "MedicationRequest.medication[x].reference",
        violation: "unresolved-local-reference",
      },
      {
        title: "an uppercase urn:uuid",
        build: variant(
          observation,
          (r) => (r.subject = { reference: "urn:uuid:4B8A1BFA-5B33-4E1C-9A6E-0F3C1C7D2A11" }),
        ),
        path: "Observation.subject.reference",
        violation: "invalid-format",
      },
    ];
    for (const rejection of cases) {
      it(`rejects ${rejection.title}`, function () {
        expectRejected(rejection);
      });
    }
  });

  describe("primitive formats", function () {
    const cases: RejectionCase[] = [
      {
        title: "a dateTime on a day that does not exist",
        build: variant(medicationRequest, (r) => (r.authoredOn = "2023-02-29")),
        path: "MedicationRequest.authoredOn",
        violation: "invalid-format",
      },
      {
        title: "a dateTime with a time but no zone",
        build: variant(medicationRequest, (r) => (r.authoredOn = "2024-03-01T10:00:00")),
        path: "MedicationRequest.authoredOn",
        violation: "invalid-format",
      },
      {
        title: "a dateTime with hours but no minutes",
        build: variant(medicationRequest, (r) => (r.authoredOn = "2024-03-01T10")),
        path: "MedicationRequest.authoredOn",
        violation: "invalid-format",
      },
      {
        title: "a string of whitespace only",
        build: variant(observation, (r) => (r.note = [{ text: " \t " }])),
        path: "Observation.note[0].text",
        violation: "empty",
      },
      {
        title: "a dateTime in a non-ISO format",
        build: variant(medicationRequest, (r) => (r.authoredOn = "01/03/2024")),
        path: "MedicationRequest.authoredOn",
        violation: "invalid-format",
      },
      {
        title: "an instant without seconds",
        build: variant(observation, (r) => (r.issued = "2024-03-02T12:00Z")),
        path: "Observation.issued",
        violation: "invalid-format",
      },
      {
        title: "a date-only instant",
        build: variant(documentReference, (r) => (r.date = "2024-03-01")),
        path: "DocumentReference.date",
        violation: "invalid-format",
      },
      {
        title: "a dateTime given as a number",
        build: variant(medicationRequest, (r) => (r.authoredOn = 1709287800000)),
        path: "MedicationRequest.authoredOn",
        violation: "wrong-type",
      },
      {
        title: "a boolean given as a string",
        build: variant(medicationRequest, (r) => (r.doNotPerform = "false")),
        path: "MedicationRequest.doNotPerform",
        violation: "wrong-type",
      },
      {
        title: "a negative unsignedInt",
        build: variant(medicationRequest, (r) => {
          r.dispenseRequest = { numberOfRepeatsAllowed: -1 };
        }),
        path: "MedicationRequest.dispenseRequest.numberOfRepeatsAllowed",
        violation: "invalid-format",
      },
      {
        title: "a fractional integer",
        build: variant(medicationRequest, (r) => (r.dosageInstruction = [{ sequence: 1.5 }])),
        path: "MedicationRequest.dosageInstruction[0].sequence",
        violation: "invalid-format",
      },
      {
        title: "a resource id with a slash",
        build: variant(medicationRequest, (r) => (r.id = "rx/1")),
        path: "MedicationRequest.id",
        violation: "invalid-format",
      },
      {
        title: "a code with a double space",
        build: variant(observation, (r) => (r.code = { coding: [{ code: "a  b" }] })),
        path: "Observation.code.coding[0].code",
        violation: "invalid-format",
      },
      {
        title: "a uri with whitespace",
        build: variant(observation, (r) => (r.code = { coding: [{ system: "http://loinc .org", code: "1" }] })),
        path: "Observation.code.coding[0].system",
        violation: "invalid-format",
      },
      {
        title: "attachment data that is not base64",
        build: variant(documentReference, (r) => {
          r.content = [{ attachment: { contentType: "text/plain", data: "not base64!" } }];
        }),
        path: "DocumentReference.content[0].attachment.data",
        violation: "invalid-format",
      },
      {
        title: "narrative that is not an xhtml div",
        build: variant(observation, (r) => (r.text = { status: "generated", div: "<p>hello</p>" })),
        path: "Observation.text.div",
        violation: "invalid-format",
      },
    ];
    for (const rejection of cases) {
      it(`rejects ${rejection.title}`, function () {
        expectRejected(rejection);
      });
    }
  });

  describe("R4 constraints", function () {
    const cases: RejectionCase[] = [
      {
        title: "a dispense handed over before it was prepared (mdd-1)",
        build: variant(medicationDispense, (r) => (r.whenHandedOver = "2024-03-01T09:00:00Z")),
        path: "MedicationDispense",
        violation: "constraint",
        constraint: "mdd-1",
      },
      {
        title: "an order detail without a code (prr-1)",
        build: variant(serviceRequest, (r) => {
          delete r.code;
          r.orderDetail = [{ text: "fasting" }];
        }),
        path: "ServiceRequest",
        violation: "constraint",
        constraint: "prr-1",
      },
      {
        title: "a value together with a dataAbsentReason (obs-6)",
        build: variant(observation, (r) => (r.dataAbsentReason = { text: "not asked" })),
        path: "Observation",
        violation: "constraint",
        constraint: "obs-6",
      },
      {
        title: "a value repeated by a component with the same code (obs-7)",
        build: variant(observation, (r) => {
          r.component = [{ code: { coding: [{ system: "http://loinc.org", code: "2345-7" }] }, valueString: "x" }];
        }),
        path: "Observation",
        violation: "constraint",
        constraint: "obs-7",
      },
      {
        title: "a reference range with neither bound nor text (obs-3)",
        build: variant(observation, (r) => (r.referenceRange = [{ type: { text: "normal" } }])),
        path: "Observation.referenceRange[0]",
        violation: "constraint",
        constraint: "obs-3",
      },
      {
        title: "a Consent with neither policy nor policyRule (ppc-1)",
        build: variant(consent, (r) => delete r.policyRule),
        path: "Consent",
        violation: "constraint",
        constraint: "ppc-1",
      },
      {
        title: "a privacy Consent without a patient (ppc-2)",
        build: variant(consent, (r) => delete r.patient),
        path: "Consent.patient",
        violation: "constraint",
        constraint: "ppc-2",
      },
      {
        title: "a treatment Consent without a patient (ppc-5)",
        build: variant(consent, (r) => {
          delete r.patient;
          r.scope = { coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "treatment" }] };
        }),
        path: "Consent.patient",
        violation: "constraint",
        constraint: "ppc-5",
      },
      {
        title: "a Period that ends before it starts (per-1)",
        build: variant(consent, (r) => (r.provision = { period: { start: "2024-03-02", end: "2024-03-01" } })),
        path: "Consent.provision.period",
        violation: "constraint",
        constraint: "per-1",
      },
      {
        title: "inline attachment data without a content type (att-1)",
        build: variant(documentReference, (r) => (r.content = [{ attachment: { data: "aGVsbG8=" } }])),
        path: "DocumentReference.content[0].attachment",
        violation: "constraint",
        constraint: "att-1",
      },
      {
        title: "a Quantity with a code but no system (qty-3)",
        build: variant(observation, (r) => (r.valueQuantity = { value: 5.4, code: "mmol/L" })),
        path: "Observation.value[x]",
        violation: "constraint",
        constraint: "qty-3",
      },
      {
        title: "a Ratio with a numerator only (rat-1)",
        build: variant(observation, (r) => {
          delete r.valueQuantity;
          r.valueRatio = { numerator: { value: 1 } };
        }),
        path: "Observation.value[x]",
        violation: "constraint",
        constraint: "rat-1",
      },
      {
        title: "a Range whose low exceeds its high (rng-2)",
        build: variant(observation, (r) => {
          delete r.valueQuantity;
          r.valueRange = { low: { value: 9, unit: "mg" }, high: { value: 3, unit: "mg" } };
        }),
        path: "Observation.value[x]",
        violation: "constraint",
        constraint: "rng-2",
      },
      {
        title: "an extension with both a value and nested extensions (ext-1)",
        build: variant(observation, (r) => {
          r.extension = [
            { url: "http://example.org/e", valueString: "a", extension: [{ url: "x", valueBoolean: true }] },
          ];
        }),
        path: "Observation.extension[0]",
        violation: "constraint",
        constraint: "ext-1",
      },
      {
        title: "an extension without a url",
        build: variant(observation, (r) => (r.extension = [{ valueString: "a" }])),
        path: "Observation.extension[0].url",
        violation: "required",
      },
      {
        title: "a contained resource that contains another (dom-2)",
        build: variant(medicationRequest, (r) => {
          r.contained = [{ resourceType: "Medication", id: "m", contained: [{ resourceType: "Substance", id: "s" }] }];
        }),
        path: "MedicationRequest.contained[0].contained",
        violation: "constraint",
        constraint: "dom-2",
      },
      {
        title: "a contained resource with a versionId (dom-4)",
        build: variant(medicationRequest, (r) => {
          r.contained = [{ resourceType: "Medication", id: "m", meta: { versionId: "2" } }];
        }),
        path: "MedicationRequest",
        violation: "constraint",
        constraint: "dom-4",
      },
      {
        title: "a contained Observation with a value and a dataAbsentReason (obs-6)",
        build: variant(diagnosticReport, (r) => {
          r.contained = [
            {
              resourceType: "Observation",
              id: "o",
              status: "final",
              code: { text: "glucose" },
              valueString: "5.4",
              dataAbsentReason: { text: "not asked" },
            },
          ];
          r.result = [{ reference: "#o" }];
        }),
        path: "DiagnosticReport.contained[0]",
        violation: "constraint",
        constraint: "obs-6",
      },
      {
        title: "an extension whose Period ends before it starts (per-1 through Extension.value[x])",
        build: variant(observation, (r) => {
          r.extension = [{ url: "http://example.org/e", valuePeriod: { start: "2024-03-02", end: "2024-03-01" } }];
        }),
        path: "Observation.extension[0].value[x]",
        violation: "constraint",
        constraint: "per-1",
      },
      {
        title: "an invalid contained resource of a known type",
        build: variant(diagnosticReport, (r) => {
          r.contained = [{ resourceType: "Observation", id: "o", status: "final" }];
          r.result = [{ reference: "#o" }];
        }),
        path: "DiagnosticReport.contained[0].code",
        violation: "required",
      },
    ];
    for (const rejection of cases) {
      it(`rejects ${rejection.title}`, function () {
        expectRejected(rejection);
      });
    }
  });

  describe("when other code has replaced the definitions in @medplum/core's process-wide index", function () {
    it("validates against CareLedger's definitions again", function () {
      validateResource(observation());
      // An application's own Observation, with an element R4 does not have.
      indexStructureDefinitionBundle([
        {
          resourceType: "StructureDefinition",
          url: "http://hl7.org/fhir/StructureDefinition/Observation",
          name: "Observation",
          type: "Observation",
          kind: "resource",
          snapshot: {
            element: [
              { path: "Observation", min: 0, max: "*" },
              { path: "Observation.status", min: 1, max: "1", type: [{ code: "code" }] },
              { path: "Observation.code", min: 1, max: "1", type: [{ code: "CodeableConcept" }] },
              { path: "Observation.colour", min: 0, max: "1", type: [{ code: "string" }] },
            ],
          },
        },
      ]);
      const loose = { resourceType: "Observation", status: "final", code: { text: "x" }, colour: "red" };
      expect(validateWithMedplum(loose as never)).to.deep.equal([]);
      expectRejected({
        title: "an element the CareLedger definition does not have",
        build: () => loose,
        path: "Observation",
        violation: "invalid-element-name",
      });
      expect(validateResource(observation())).to.deep.equal(observation());
    });
  });
});
