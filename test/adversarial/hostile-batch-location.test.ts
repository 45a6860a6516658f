// Hostile batch locations handed to readRecord: a reader on another machine learns where a batched
// record sits from whoever gives it the location, so every field is untrusted input.
import { expect } from "chai";

import { CareLedger, Purpose, RecordType } from "../../client/index.js";
import { createEnvironment, type SdkEnvironment } from "../client/sdk/helpers/environment.js";
import { recordAttack } from "./tally.js";

const CATEGORY = "hostile-sdk-input";
const HASH = `0x${"11".repeat(32)}`;

describe("adversarial: hostile batch locations given to readRecord", function () {
  this.timeout(180_000);
  let env: SdkEnvironment;
  let reader: CareLedger;

  before(async function () {
    env = await createEnvironment("edr", "local-disk");
    reader = await env.connect("stranger");
  });

  after(async function () {
    await reader?.close();
    await env?.close();
  });

  const cases: [string, unknown, string][] = [
    [
      "a root that is not 32 bytes",
      { root: "0x12", recordType: RecordType.ClinicalNote, sensitive: false, proof: [] },
      "batch.root",
    ],
    [
      "a proof that is not an array",
      { root: HASH, recordType: RecordType.ClinicalNote, sensitive: false, proof: HASH },
      "batch.proof",
    ],
    [
      "a proof of 65 hashes",
      { root: HASH, recordType: RecordType.ClinicalNote, sensitive: false, proof: Array(65).fill(HASH) },
      "batch.proof",
    ],
    [
      "a proof with a short hash",
      { root: HASH, recordType: RecordType.ClinicalNote, sensitive: false, proof: ["0xabcd"] },
      "batch.proof",
    ],
    ["a record type out of range", { root: HASH, recordType: 250, sensitive: false, proof: [] }, "batch.recordType"],
    [
      "a sensitivity that is not a boolean",
      { root: HASH, recordType: RecordType.ClinicalNote, sensitive: "no", proof: [] },
      "batch.sensitive",
    ],
    ["null", null, "batch"],
  ];
  for (const [title, batch, argument] of cases) {
    it(`refuses ${title} with InvalidArgumentError naming ${argument}, before any call`, async function () {
      let error: { name?: string; argument?: string } | undefined;
      try {
        await reader.readRecord({
          patient: env.actor("patient").address,
          commitment: HASH,
          purpose: Purpose.Treatment,
          batch: batch as never,
        });
      } catch (caught) {
        error = caught as { name?: string; argument?: string };
      }
      recordAttack(CATEGORY, error?.name === "InvalidArgumentError", `batch location: ${title}`);
      expect(error?.name).to.equal("InvalidArgumentError");
      expect(error?.argument).to.equal(argument);
    });
  }

  it("refuses a well-formed location of a batch that does not hold the record: the access rule says no", async function () {
    let name: string | undefined;
    try {
      await reader.readRecord({
        patient: env.actor("patient").address,
        commitment: HASH,
        purpose: Purpose.Treatment,
        batch: { root: HASH, recordType: RecordType.ClinicalNote, sensitive: false, proof: [HASH] },
      });
    } catch (caught) {
      name = (caught as Error).name;
    }
    recordAttack(CATEGORY, name === "AccessDeniedError", "batch location of an unknown batch");
    expect(name).to.equal("AccessDeniedError");
  });
});
