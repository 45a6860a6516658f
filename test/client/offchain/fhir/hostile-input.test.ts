import { expect } from "chai";

import { InvalidFhirResourceError, PayloadTooLargeError } from "../../../../client/errors.js";
import {
  MAX_JSON_DEPTH,
  MAX_PAYLOAD_BYTES,
  canonicalize,
  validateAndSerialize,
  validateResource,
} from "../../../../client/fhir/index.js";
import { expectThrows } from "../helpers/expect-error.js";
import { documentReference, medicationRequest, mutable, observation } from "./fixtures.js";

/** A marker that must never leak into an error message. */
const SECRET = "Siobhan-OBrien-MRN-0042";

function rejectionOf(input: unknown): InvalidFhirResourceError {
  const error = expectThrows(() => validateResource(input), InvalidFhirResourceError);
  expect(error.message).to.not.include(SECRET);
  expect(error.path).to.not.include(SECRET);
  return error;
}

function withNote(text: unknown): Record<string, unknown> {
  const resource = mutable(observation());
  resource.note = [{ text }];
  return resource;
}

describe("validateResource with hostile input", function () {
  describe("non-resources", function () {
    for (const [title, input] of [
      ["null", null],
      ["undefined", undefined],
      ["a string", SECRET],
      ["a number", 42],
      ["an array", [medicationRequest()]],
      ["a Date", new Date()],
      ["a Map", new Map([["resourceType", "Patient"]])],
    ] as const) {
      it(`rejects ${title} as not JSON`, function () {
        const error = rejectionOf(input);
        expect(error.path).to.equal("Resource");
        expect(error.violation).to.equal("not-json");
      });
    }

    it("rejects a class instance even when its fields look like a resource", function () {
      class FakePatient {
        readonly resourceType = "Patient";
      }
      const error = rejectionOf(new FakePatient());
      expect(error.violation).to.equal("not-json");
    });

    it("rejects an empty object", function () {
      const error = rejectionOf({});
      expect([error.path, error.violation]).to.deep.equal(["Resource", "empty"]);
    });
  });

  describe("values that have no JSON form", function () {
    const cases: ReadonlyArray<readonly [string, unknown]> = [
      ["undefined", undefined],
      ["a function", () => SECRET],
      ["a symbol", Symbol(SECRET)],
      ["a bigint", 10n],
      ["NaN", Number.NaN],
      ["Infinity", Number.POSITIVE_INFINITY],
      ["-Infinity", Number.NEGATIVE_INFINITY],
    ];
    for (const [title, value] of cases) {
      it(`rejects ${title}`, function () {
        const resource = mutable(medicationRequest());
        resource.doNotPerform = value;
        const error = rejectionOf(resource);
        expect([error.path, error.violation]).to.deep.equal(["MedicationRequest.doNotPerform", "not-json"]);
      });
    }

    it("rejects an object with a toJSON method", function () {
      const resource = mutable(medicationRequest());
      resource.note = [{ text: "x", toJSON: () => ({ text: SECRET }) }];
      const error = rejectionOf(resource);
      expect(error.violation).to.equal("not-json");
    });

    it("rejects a getter without calling it", function () {
      let called = false;
      const resource = mutable(medicationRequest());
      Object.defineProperty(resource, "priority", {
        enumerable: true,
        get() {
          called = true;
          return "stat";
        },
      });
      const error = rejectionOf(resource);
      expect([error.path, error.violation]).to.deep.equal(["MedicationRequest.priority", "not-json"]);
      expect(called).to.equal(false);
    });

    it("rejects a non-enumerable property", function () {
      const resource = mutable(medicationRequest());
      Object.defineProperty(resource, "priority", { enumerable: false, value: "stat" });
      expect(rejectionOf(resource).violation).to.equal("not-json");
    });

    it("rejects symbol-keyed properties", function () {
      const resource = mutable(medicationRequest());
      resource[Symbol.for("hidden") as unknown as string] = SECRET;
      expect(rejectionOf(resource).violation).to.equal("not-json");
    });

    it("rejects sparse arrays", function () {
      const resource = mutable(medicationRequest());
      // eslint-disable-next-line no-sparse-arrays
      resource.category = [{ text: "a" }, , { text: "b" }];
      expect(rejectionOf(resource).violation).to.equal("not-json");
    });

    it("rejects arrays carrying extra properties", function () {
      const category: unknown[] = [{ text: "a" }];
      (category as unknown as Record<string, unknown>).extra = SECRET;
      const resource = mutable(medicationRequest());
      resource.category = category;
      expect(rejectionOf(resource).violation).to.equal("not-json");
    });

    it("rejects arrays of arrays", function () {
      const resource = mutable(medicationRequest());
      resource.category = [[{ text: "a" }]];
      const error = rejectionOf(resource);
      expect([error.path, error.violation]).to.deep.equal(["MedicationRequest.category[0]", "wrong-type"]);
    });
  });

  describe("element names", function () {
    for (const key of ["__proto__", "constructor-x", "1st", "a b", "given name", "é", "", "x".repeat(65)]) {
      it(`rejects the key ${JSON.stringify(key.slice(0, 12))} without echoing it`, function () {
        const resource = JSON.parse(`{"resourceType":"Patient",${JSON.stringify(key)}:"v"}`) as unknown;
        const error = rejectionOf(resource);
        expect([error.path, error.violation]).to.deep.equal(["Patient", "invalid-element-name"]);
      });
    }

    it("does not echo a payload-bearing key nested in a known resource", function () {
      const resource = mutable(medicationRequest());
      resource.note = [{ text: "ok", [`${SECRET}!`]: true }];
      const error = rejectionOf(resource);
      expect([error.path, error.violation]).to.deep.equal(["MedicationRequest.note[0]", "invalid-element-name"]);
    });

    it("accepts primitive extension keys", function () {
      const resource = mutable(medicationRequest());
      resource._status = { extension: [{ url: "http://example.org/reason", valueCode: "entered-late" }] };
      expect(validateResource(resource)).to.equal(resource);
    });

    it("rejects a well-formed name that is not an element of the type, without echoing it", function () {
      const name = SECRET.replaceAll("-", "");
      const resource = mutable(medicationRequest());
      resource[name] = true;
      const error = rejectionOf(resource);
      expect([error.path, error.violation]).to.deep.equal(["MedicationRequest", "invalid-element-name"]);
      expect(error.message).to.not.include(name);
    });
  });

  describe("empty values and nulls", function () {
    it("rejects an empty string", function () {
      const error = rejectionOf(withNote(""));
      expect([error.path, error.violation]).to.deep.equal(["Observation.note[0].text", "empty"]);
    });

    it("rejects an empty array", function () {
      const resource = mutable(observation());
      resource.category = [];
      const error = rejectionOf(resource);
      expect([error.path, error.violation]).to.deep.equal(["Observation.category", "empty"]);
    });

    it("rejects an empty object", function () {
      const resource = mutable(observation());
      resource.method = {};
      expect(rejectionOf(resource).violation).to.equal("empty");
    });

    it("rejects a null element", function () {
      const resource = mutable(observation());
      resource.method = null;
      const error = rejectionOf(resource);
      expect([error.path, error.violation]).to.deep.equal(["Observation.method", "unexpected-null"]);
    });

    it("rejects nulls in a primitive array without an extension array", function () {
      const resource = mutable(medicationRequest());
      resource.instantiatesUri = ["http://example.org/a", null];
      expect(rejectionOf(resource).violation).to.equal("unexpected-null");
    });

    it("rejects nulls in a complex array even when a matching _ array exists", function () {
      const resource = mutable(medicationRequest());
      resource.category = [{ text: "a" }, null];
      resource._category = [null, { id: "x" }];
      const error = rejectionOf(resource);
      expect([error.path, error.violation]).to.deep.equal(["MedicationRequest.category[1]", "unexpected-null"]);
    });
  });

  describe("exotic objects", function () {
    it("serialises what it validated when a Proxy answers each kind of read differently", function () {
      const shapeShifter = new Proxy(mutable(observation()), {
        getOwnPropertyDescriptor(target, key) {
          const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
          return key === "status" && descriptor !== undefined ? { ...descriptor, value: "final" } : descriptor;
        },
        get(target, key, receiver) {
          return key === "status" ? "not-a-status" : (Reflect.get(target, key, receiver) as unknown);
        },
      });
      const { canonicalBytes } = validateAndSerialize(shapeShifter);
      const committed = JSON.parse(new TextDecoder().decode(canonicalBytes)) as { status: string };
      expect(committed.status).to.equal("final");
      expect(validateResource(committed)).to.equal(committed);
    });
  });

  describe("Unicode", function () {
    for (const [title, text] of [
      ["a lone high surrogate", `${SECRET}\uD83D`],
      ["a lone low surrogate", `\uDE00${SECRET}`],
      ["a reversed surrogate pair", "\uDE00\uD83D"],
    ] as const) {
      it(`rejects ${title}`, function () {
        const error = rejectionOf(withNote(text));
        expect([error.path, error.violation]).to.deep.equal(["Observation.note[0].text", "lone-surrogate"]);
      });
    }

    for (const [title, text] of [
      ["NUL", `${SECRET}\u0000`],
      ["ESC", "\u001b[31mred"],
      ["a vertical tab", "a\u000bb"],
    ] as const) {
      it(`rejects the control character ${title}`, function () {
        const error = rejectionOf(withNote(text));
        expect([error.path, error.violation]).to.deep.equal(["Observation.note[0].text", "control-character"]);
      });
    }

    it("accepts TAB, LF and CR in free text", function () {
      expect(() => validateResource(withNote("line 1\r\n\tline 2"))).to.not.throw();
    });

    it("accepts bidirectional controls and astral characters in free text, byte for byte", function () {
      const text = "\u202Eينسولين\u202C 💊 \u200F";
      const resource = withNote(text);
      validateResource(resource);
      const canonical = new TextDecoder().decode(canonicalize(resource as never));
      expect(canonical).to.include(text);
    });

    it("rejects a bidirectional override inside a reference", function () {
      const resource = mutable(observation());
      resource.subject = { reference: "Patient/\u202Ep-1" };
      const error = rejectionOf(resource);
      expect([error.path, error.violation]).to.deep.equal(["Observation.subject.reference", "invalid-format"]);
    });

    it("rejects a bidirectional override inside an id", function () {
      const resource = mutable(observation());
      resource.id = "obs\u202E1";
      expect(rejectionOf(resource).violation).to.equal("invalid-format");
    });
  });

  describe("depth", function () {
    function nestedExtensions(levels: number): Record<string, unknown> {
      let extension: Record<string, unknown> = { url: "http://example.org/leaf", valueString: "x" };
      for (let level = 0; level < levels; level++) {
        extension = { url: "http://example.org/n", extension: [extension] };
      }
      const resource = mutable(observation());
      resource.extension = [extension];
      return resource;
    }

    it("accepts nesting within the limit", function () {
      expect(() => validateResource(nestedExtensions(Math.floor(MAX_JSON_DEPTH / 2) - 2))).to.not.throw();
    });

    it("rejects nesting beyond the limit", function () {
      const error = rejectionOf(nestedExtensions(MAX_JSON_DEPTH));
      expect(error.violation).to.equal("too-deep");
      expect(error.path.startsWith("Observation.extension[0]")).to.equal(true);
    });

    it("rejects very deep nesting without overflowing the stack", function () {
      let value: Record<string, unknown> = { leaf: true };
      for (let level = 0; level < 100_000; level++) {
        value = { nested: value };
      }
      expect(rejectionOf({ resourceType: "Basic", ...value }).violation).to.equal("too-deep");
    });
  });

  describe("size", function () {
    /** A DocumentReference whose canonical JSON is exactly `size` bytes. */
    function documentOfCanonicalSize(size: number): Record<string, unknown> {
      const resource = mutable(documentReference());
      resource.description = "x";
      const base = canonicalize(resource as never).length;
      resource.description = "x".repeat(size - base + 1);
      return resource;
    }

    it("accepts a resource of exactly MAX_PAYLOAD_BYTES", function () {
      const resource = documentOfCanonicalSize(MAX_PAYLOAD_BYTES);
      expect(canonicalize(resource as never).length).to.equal(MAX_PAYLOAD_BYTES);
    });

    it("rejects a resource one byte over MAX_PAYLOAD_BYTES with limit and size", function () {
      const resource = documentOfCanonicalSize(MAX_PAYLOAD_BYTES + 1);
      const error = expectThrows(() => validateResource(resource), PayloadTooLargeError);
      expect(error.code).to.equal("PAYLOAD_TOO_LARGE");
      expect([error.limit, error.size]).to.deep.equal([MAX_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES + 1]);
      expect(() => canonicalize(resource as never)).to.throw(PayloadTooLargeError);
    });

    it("measures UTF-8 bytes, not UTF-16 code units", function () {
      const resource = mutable(documentReference());
      // 3 bytes in UTF-8 per character: 400,000 characters are 1.2 MB.
      resource.description = "€".repeat(400_000);
      const error = expectThrows(() => validateResource(resource), PayloadTooLargeError);
      expect(error.size).to.be.greaterThan(1_200_000);
    });

    it("never puts payload text in the error message", function () {
      const resource = mutable(documentReference());
      resource.description = SECRET.repeat(MAX_PAYLOAD_BYTES / SECRET.length + 1);
      const error = expectThrows(() => validateResource(resource), PayloadTooLargeError);
      expect(error.message).to.not.include(SECRET);
    });
  });
});
