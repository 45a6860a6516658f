import { expect } from "chai";
import { TypedDataEncoder, keccak256, toUtf8Bytes } from "ethers";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";

import { CONSENT_EIP712_TYPES } from "../../client/eip712.js";
import { InvalidArgumentError } from "../../client/errors.js";
import { KEY_RELEASE_EIP712_TYPES } from "../../client/key-release/release-protocol.js";
import { UNLOCK_EIP712_TYPES } from "../../client/sdk/unlock-code.js";
import { VISIT_EIP712_TYPES } from "../../client/sdk/visit-signature.js";
import { parseTypeString, typedDataTable, typesOf, type TypedDataTable } from "../../client/typed-data-fields.js";

// Every table the SDK signs with; the ones a contract verifies must match its typehash text.
const SDK_TABLES: readonly TypedDataTable<string>[] = [
  CONSENT_EIP712_TYPES,
  VISIT_EIP712_TYPES,
  UNLOCK_EIP712_TYPES,
  KEY_RELEASE_EIP712_TYPES,
];
// Signed for the custodians, verified off-chain: no contract holds their typehash.
const OFF_CHAIN = new Set(["KeyRelease", "ReleaseQuery"]);

const CONTRACTS = join(import.meta.dirname, "..", "..", "contracts");
const TYPEHASH = /bytes32\s+public\s+constant\s+(\w+_TYPEHASH)\s*=\s*keccak256\(\s*"([^"]+)"\s*\)/g;

/** Each production contract's `X_TYPEHASH = keccak256("...")` text, by the primary type it declares. */
async function contractTypeStrings(): Promise<Map<string, { constant: string; encoded: string }>> {
  const found = new Map<string, { constant: string; encoded: string }>();
  const files = (await readdir(CONTRACTS, { recursive: true })).filter(
    (file) => file.endsWith(".sol") && !file.split(/[\\/]/).includes("test"),
  );
  for (const file of files) {
    for (const [, constant, encoded] of (await readFile(join(CONTRACTS, file), "utf8")).matchAll(TYPEHASH)) {
      found.set(parseTypeString(encoded).name, { constant: `${file}:${constant}`, encoded });
    }
  }
  return found;
}

function sdkTypeStrings(): Map<string, string> {
  const strings = new Map<string, string>();
  for (const table of SDK_TABLES) {
    for (const name of Object.keys(table)) {
      strings.set(name, TypedDataEncoder.from(typesOf(table, name)).encodeType(name));
    }
  }
  return strings;
}

describe("EIP-712 type strings", function () {
  it("each SDK type a contract verifies is that contract's typehash text, letter for letter", async function () {
    const contract = await contractTypeStrings();
    const sdk = sdkTypeStrings();
    expect(contract.size).to.be.greaterThan(0);
    for (const [name, encoded] of sdk) {
      if (OFF_CHAIN.has(name)) {
        expect(contract.has(name), `${name} is off-chain`).to.equal(false);
        continue;
      }
      const declared = contract.get(name);
      expect(declared, `a contract's typehash for ${name}`).to.not.equal(undefined);
      expect(encoded, declared?.constant).to.equal(declared?.encoded);
      expect(keccak256(toUtf8Bytes(encoded))).to.equal(keccak256(toUtf8Bytes(declared?.encoded ?? "")));
    }
  });

  it("every typehash a contract declares has its SDK table", async function () {
    const sdk = sdkTypeStrings();
    for (const [name, { constant }] of await contractTypeStrings()) {
      expect(sdk.has(name), `${constant} has no SDK table`).to.equal(true);
    }
  });

  it("a table reads back as the type strings it was written from", function () {
    const encoded = [
      "Unlock(address patient,address doctor,bytes32 codeId,uint40 expiresAt)",
      "Mixed(bool flag,string note,bytes blob,int256 delta,bytes1 tag)",
    ] as const;
    const table = typedDataTable(...encoded);
    expect(Object.keys(table)).to.deep.equal(["Unlock", "Mixed"]);
    expect(table.Unlock).to.deep.equal([
      { name: "patient", type: "address" },
      { name: "doctor", type: "address" },
      { name: "codeId", type: "bytes32" },
      { name: "expiresAt", type: "uint40" },
    ]);
    expect(TypedDataEncoder.from(typesOf(table, "Unlock")).encodeType("Unlock")).to.equal(encoded[0]);
    expect(TypedDataEncoder.from(typesOf(table, "Mixed")).encodeType("Mixed")).to.equal(encoded[1]);
  });

  it("hands each signer its own copy of the fields", function () {
    const types = typesOf(UNLOCK_EIP712_TYPES, "Unlock");
    types.Unlock[0].name = "changed";
    expect(UNLOCK_EIP712_TYPES.Unlock[0].name).to.equal("patient");
  });

  for (const [malformed, why] of [
    ["Unlock", "not one Name(...)"],
    ["Unlock()", "not one Name(...)"],
    ["Unlock(address patient,address doctor", "not one Name(...)"],
    ["Unlock(address patient, address doctor)", "not one type and one name"],
    ["Unlock(address)", "not one type and one name"],
    ["Unlock(uint patient)", '"uint" is not an atomic type'],
    ["Unlock(uint7 patient)", '"uint7" is not an atomic type'],
    ["Unlock(bytes33 patient)", '"bytes33" is not an atomic type'],
    ["Unlock(Person patient)Person(address wallet)", "not one Name(...)"],
    ["Unlock(Person patient)", '"Person" is not an atomic type'],
    ["Unlock(address[] patients)", "is not an atomic type"],
    ["Unlock(address 1patient)", "is not a field name"],
    ["Unlock(address patient,bytes32 patient)", '"patient" appears twice'],
  ] as const) {
    it(`refuses ${JSON.stringify(malformed)}: ${why}`, function () {
      expect(() => parseTypeString(malformed))
        .to.throw(InvalidArgumentError)
        .with.property("message")
        .that.includes(why)
        .and.includes(malformed);
    });
  }

  it("refuses a table declaring one type twice", function () {
    expect(() => typedDataTable("A(address a)", "A(address b)"))
      .to.throw(InvalidArgumentError)
      .with.property("message")
      .that.includes("A is declared twice");
  });
});
