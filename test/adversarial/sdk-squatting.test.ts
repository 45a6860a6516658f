// Record squatting against the SDK (issue 11, finding 1): another provider anchors a writer's
// commitment first, with its own type and flags. The writer's SDK must never report that record as
// its own, must seal again with a fresh salt, and the squatter must gain no key.
import { expect } from "chai";

import { CareLedger, ProviderKind, Purpose, RecordType } from "../../client/index.js";
import { RecordRegistry__factory } from "../../typechain-types/index.js";
import { createEnvironment, type SdkEnvironment } from "../client/sdk/helpers/environment.js";
import { recordAttack } from "./tally.js";

const note = (patient: string) => ({
  resourceType: "Observation",
  status: "final",
  code: { text: "Blood pressure" },
  subject: { reference: `Patient/${patient.slice(2, 10)}` },
  valueString: "120/80",
});

describe("adversarial: record squatting against the SDK", function () {
  this.timeout(180_000);
  let env: SdkEnvironment;
  let doctor: CareLedger;
  let squatter: CareLedger;
  let patient: CareLedger;

  before(async function () {
    env = await createEnvironment("edr", "local-disk");
    const registrar = await env.connect("admin");
    for (const name of ["doctor", "doctor2"] as const) {
      await registrar.registrar.registerProvider({ account: env.actor(name).address, kind: ProviderKind.Doctor });
    }
    squatter = await env.connect("doctor2");
    patient = await env.connect("patient3");
    const squat = RecordRegistry__factory.connect(env.addresses.registry, env.actor("doctor2").signer);
    // The squatter learns each commitment the moment it is stored and anchors it first, as a Wellness-free
    // non-sensitive clinical note of its own.
    doctor = await env.connect("doctor", {
      faults: {
        afterStore: async ({ commitments }) => {
          await (
            await squat.anchorRecord(env.actor("patient3").address, commitments[0], RecordType.Other, false)
          ).wait();
        },
      },
    });
  });

  after(async function () {
    for (const client of [doctor, squatter, patient]) await client?.close();
    await env?.close();
  });

  it("is never reported as the writer's record: the SDK seals again and gives up with RecordSquattedError", async function () {
    let error: unknown;
    try {
      await doctor.doctor.putRecord({
        patient: env.actor("patient3").address,
        resource: note(env.actor("patient3").address),
      });
    } catch (caught) {
      error = caught;
    }
    const squatted = (error as { name?: string; code?: string } | undefined) ?? {};
    recordAttack("squatting", squatted.code === "RECORD_SQUATTED");
    expect(squatted.name).to.equal("RecordSquattedError");
    expect(squatted.code).to.equal("RECORD_SQUATTED");
  });

  it("a fresh seal once the squatter stops succeeds under the writer's own name", async function () {
    const honest = await env.connect("doctor", { journal: false });
    try {
      const written = await honest.doctor.putRecord({
        patient: env.actor("patient3").address,
        resource: note(env.actor("patient3").address),
      });
      expect(written.author).to.equal(env.actor("doctor").address);
      expect((await honest.recordOf({ patient: written.patient, commitment: written.commitment })).author).to.equal(
        env.actor("doctor").address,
      );
    } finally {
      await honest.close();
    }
  });

  it("gives the squatter no key: the custodians' shares are bound to the real author", async function () {
    const squatting = await env.connect("doctor", {
      journal: false,
      faults: {
        afterStore: async ({ commitments }) => {
          const squat = RecordRegistry__factory.connect(env.addresses.registry, env.actor("doctor2").signer);
          await (
            await squat.anchorRecord(env.actor("patient3").address, commitments[0], RecordType.Other, false)
          ).wait();
          stolen.push(commitments[0]);
        },
      },
    });
    const stolen: string[] = [];
    try {
      await squatting.doctor
        .putRecord({ patient: env.actor("patient3").address, resource: note(env.actor("patient3").address) })
        .catch(() => undefined);
    } finally {
      await squatting.close();
    }
    expect(stolen.length).to.be.greaterThan(0);
    for (const commitment of stolen) {
      // The chain calls the squatter the author, so the access rule lets it ask; no custodian opens a share for it.
      let read = false;
      try {
        await squatter.readRecord({ patient: env.actor("patient3").address, commitment, purpose: Purpose.Treatment });
        read = true;
      } catch {
        read = false;
      }
      recordAttack("squatting", !read);
      expect(read).to.equal(false);
    }
  });
});
