import { expect } from "chai";

import { InvalidFhirResourceError } from "../../../../client/errors.js";
import { canonicalize } from "../../../../client/fhir/index.js";
import { serializeCanonicalJson } from "../../../../client/fhir/jcs.js";
import type { JsonValue } from "../../../../client/fhir/json-value.js";
import { expectThrows } from "../helpers/expect-error.js";
import { medicationRequest, mutable, observation } from "./fixtures.js";

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function doubleFromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe("RFC 8785 canonical JSON", function () {
  describe("serializer against the RFC's examples", function () {
    it("matches the sample in section 3.2.2", function () {
      const input = JSON.parse(
        '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
          '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
      ) as JsonValue;
      expect(text(serializeCanonicalJson(input))).to.equal(
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
          '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
      );
    });

    it("sorts properties by UTF-16 code units as in section 3.2.3", function () {
      const input = JSON.parse(
        '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh",' +
          '"1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control",' +
          '"\\u00f6":"Latin Small Letter O With Diaeresis"}',
      ) as JsonValue;
      expect(text(serializeCanonicalJson(input))).to.equal(
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
          '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
      );
    });

    it("encodes the section 3.2.4 example as UTF-8 bytes", function () {
      const bytes = serializeCanonicalJson({ "\u20ac": "\u20ac" } as JsonValue);
      expect(Buffer.from(bytes).toString("hex")).to.equal("7b22e282ac223a22e282ac227d");
    });

    // Appendix B: IEEE 754 bit patterns and their required serialisations.
    const numbers: ReadonlyArray<readonly [string, string]> = [
      ["0000000000000000", "0"],
      ["8000000000000000", "0"],
      ["0000000000000001", "5e-324"],
      ["8000000000000001", "-5e-324"],
      ["7fefffffffffffff", "1.7976931348623157e+308"],
      ["ffefffffffffffff", "-1.7976931348623157e+308"],
      ["4340000000000000", "9007199254740992"],
      ["c340000000000000", "-9007199254740992"],
      ["4430000000000000", "295147905179352830000"],
      ["44b52d02c7e14af5", "9.999999999999997e+22"],
      ["44b52d02c7e14af6", "1e+23"],
      ["44b52d02c7e14af7", "1.0000000000000001e+23"],
      ["444b1ae4d6e2ef4e", "999999999999999700000"],
      ["444b1ae4d6e2ef4f", "999999999999999900000"],
      ["444b1ae4d6e2ef50", "1e+21"],
      ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
      ["3eb0c6f7a0b5ed8d", "0.000001"],
      ["41b3de4355555553", "333333333.3333332"],
      ["41b3de4355555554", "333333333.33333325"],
      ["41b3de4355555555", "333333333.3333333"],
      ["41b3de4355555556", "333333333.3333334"],
      ["41b3de4355555557", "333333333.33333343"],
      ["becbf647612f3696", "-0.0000033333333333333333"],
      ["43143ff3c1cb0959", "1424953923781206.2"],
    ];
    for (const [bits, expected] of numbers) {
      it(`writes the double 0x${bits} as ${expected}`, function () {
        expect(text(serializeCanonicalJson(doubleFromBits(bits)))).to.equal(expected);
      });
    }
  });

  describe("canonicalize", function () {
    it("is independent of property insertion order", function () {
      const resource = medicationRequest();
      const reversed = Object.fromEntries(Object.entries(resource).reverse());
      expect(Buffer.from(canonicalize(reversed as never)).equals(Buffer.from(canonicalize(resource)))).to.equal(true);
    });

    it("has no insignificant whitespace and round-trips through JSON.parse", function () {
      const resource = medicationRequest();
      const serialised = text(canonicalize(resource));
      expect(serialised).to.not.match(/\n|": |, /);
      expect(JSON.parse(serialised)).to.deep.equal(resource);
    });

    it("normalises number spellings that JSON.parse already equates", function () {
      const withValue = (spelling: string): never => {
        const resource = mutable(observation());
        resource.valueQuantity = JSON.parse(`{"value":${spelling}}`) as unknown;
        return resource as never;
      };
      expect(text(canonicalize(withValue("1.50")))).to.equal(text(canonicalize(withValue("15e-1"))));
      expect(text(canonicalize(withValue("1.50")))).to.include('"valueQuantity":{"value":1.5}');
    });

    it("validates before serialising", function () {
      const resource = mutable(medicationRequest());
      delete resource.subject;
      const error = expectThrows(() => canonicalize(resource as never), InvalidFhirResourceError);
      expect([error.path, error.violation]).to.deep.equal(["MedicationRequest.subject", "required"]);
    });
  });
});
