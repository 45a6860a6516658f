// Record squatting against the SDK (issue 11, finding 1): another provider anchors a writer's content
// commitment first (copied from the shared store before the writer's transaction, as a front-runner
// would copy it from the mempool), with its own type and flags. The registry names each anchoring by
// its author's record commitment, so the writer's anchoring still succeeds under its own name, the
// squatter's copy is a record of its own, and the squatter gains no key.
import { expect } from "chai";

import { CareLedger, ProviderKind, Purpose, RecordType } from "../../client/index.js";
import {
  boundPreimageOf,
  locatorRefOf,
  parseBoundPreimage,
  recordCommitmentOf,
} from "../../client/crypto/commitment.js";
import { RecordRegistry__factory } from "../../typechain-types/index.js";
import { createEnvironment, type SdkEnvironment } from "../client/sdk/helpers/environment.js";
import { recordAttack } from "./tally.js";

const CATEGORY = "record squatting";

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
  let squatter: CareLedger;
  let patient: CareLedger;
  /** Content commitments the squatter anchored first, as its own records. */
  const squatted: string[] = [];

  before(async function () {
    env = await createEnvironment("edr", "local-disk");
    const registrar = await env.connect("admin");
    for (const name of ["doctor", "doctor2"] as const) {
      await registrar.registrar.registerProvider({ account: env.actor(name).address, kind: ProviderKind.Doctor });
    }
    await registrar.close();
    squatter = await env.connect("doctor2");
    patient = await env.connect("patient3");
  });

  after(async function () {
    for (const client of [squatter, patient]) await client?.close();
    await env?.close();
  });

  /** The doctor's client, with the squatter anchoring each content commitment the moment it is stored. */
  async function frontRunDoctor(): Promise<CareLedger> {
    const squat = RecordRegistry__factory.connect(env.addresses.registry, env.actor("doctor2").signer);
    return env.connect("doctor", {
      journal: false,
      faults: {
        afterStore: async ({ commitments }) => {
          // The record commitment's stored preimage names the content commitment the anchoring passes.
          const { contentCommitment } = parseBoundPreimage(await env.store.get(locatorRefOf(commitments[0])));
          await (
            await squat.anchorRecord(env.actor("patient3").address, contentCommitment, RecordType.Other, false)
          ).wait();
          squatted.push(contentCommitment);
        },
      },
    });
  }

  it("the writer's anchoring succeeds under its own name; the squatter's copy is another record", async function () {
    const doctor = await frontRunDoctor();
    try {
      const written = await doctor.doctor.putRecord({
        patient: env.actor("patient3").address,
        resource: note(env.actor("patient3").address),
      });
      const content = squatted.at(-1) as string;
      const stopped =
        written.author === env.actor("doctor").address &&
        written.commitment === recordCommitmentOf(env.actor("doctor").address, content) &&
        (await doctor.recordOf({ patient: written.patient, commitment: written.commitment })).author ===
          env.actor("doctor").address;
      recordAttack(CATEGORY, stopped, "a front-runner blocks or takes the writer's record");
      expect(stopped).to.equal(true);
      const copy = await doctor.recordOf({
        patient: written.patient,
        commitment: recordCommitmentOf(env.actor("doctor2").address, content),
      });
      expect(copy.author).to.equal(env.actor("doctor2").address);
      expect(copy.recordType).to.equal(RecordType.Other);
      // The patient reads the writer's record, attributed to the writer by the chain.
      const read = await patient.readRecord({
        patient: written.patient,
        commitment: written.commitment,
        purpose: Purpose.Treatment,
      });
      expect(read.author).to.equal(env.actor("doctor").address);
      expect(read.recordType).to.equal(written.recordType);
    } finally {
      await doctor.close();
    }
  });

  it("gives the squatter no key: its copy does not bind the content to it and the shares name the real author", async function () {
    expect(squatted.length).to.be.greaterThan(0);
    for (const content of squatted) {
      // The chain calls the squatter the author of its copy, so the access rule lets it ask; but no
      // preimage binds the content to it and no custodian opens a share for it.
      let read = false;
      try {
        await squatter.readRecord({
          patient: env.actor("patient3").address,
          commitment: recordCommitmentOf(env.actor("doctor2").address, content),
          purpose: Purpose.Treatment,
        });
        read = true;
      } catch {
        read = false;
      }
      recordAttack(CATEGORY, !read, "a squatter reads the writer's record through its own copy");
      expect(read).to.equal(false);
      // Nor does it read the writer's record: it holds no basis for it.
      let direct = false;
      try {
        await squatter.readRecord({
          patient: env.actor("patient3").address,
          commitment: recordCommitmentOf(env.actor("doctor").address, content),
          purpose: Purpose.Treatment,
        });
        direct = true;
      } catch {
        direct = false;
      }
      recordAttack(CATEGORY, !direct, "a squatter reads the writer's record");
      expect(direct).to.equal(false);
    }
  });

  it("a copy under the squatter's name, with the writer's type and its own preimage stored, never opens as the squatter's record", async function () {
    const writer = await env.connect("doctor", { journal: false });
    try {
      const written = await writer.doctor.putRecord({
        patient: env.actor("patient3").address,
        resource: note(env.actor("patient3").address),
      });
      const { contentCommitment } = parseBoundPreimage(await env.store.get(locatorRefOf(written.commitment)));
      // The squatter copies the content under its own name, with the same type and flags, and stores
      // the preimage that binds the content to itself, so a reader finds the writer's envelope from it.
      const squat = RecordRegistry__factory.connect(env.addresses.registry, env.actor("doctor2").signer);
      await (
        await squat.anchorRecord(written.patient, contentCommitment, written.recordType, written.sensitive)
      ).wait();
      const copy = recordCommitmentOf(env.actor("doctor2").address, contentCommitment);
      expect(await env.store.put(boundPreimageOf(env.actor("doctor2").address, contentCommitment))).to.equal(
        locatorRefOf(copy),
      );
      // The patient holds the data key directly; the envelope is sealed to the writer as author, so
      // it refuses to open as the squatter's record rather than report the squatter as its author.
      let misattributed = false;
      try {
        const read = await patient.readRecord({
          patient: written.patient,
          commitment: copy,
          purpose: Purpose.Treatment,
        });
        misattributed = read.author === env.actor("doctor2").address;
      } catch (error) {
        expect((error as Error).name).to.equal("DecryptionError");
      }
      recordAttack(CATEGORY, !misattributed, "a same-type copy is read as the squatter's record");
      expect(misattributed).to.equal(false);
    } finally {
      await writer.close();
    }
  });
});
