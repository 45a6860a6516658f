import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHardhatNode } from "../test/helpers/node.js";
import {
  CareLedger,
  deployCareLedger,
  LocalDiskStore,
  PublicKeyDirectory,
  ProviderKind,
  Purpose,
  RecordType,
} from "../client/index.js";

const node = await startHardhatNode();
try {
  const admin = node.wallet(0);
  const contracts = await deployCareLedger(admin);
  const dir = await mkdtemp(join(tmpdir(), "cl-smoke-"));
  const store = await LocalDiskStore.open(join(dir, "store"));
  const keys = await PublicKeyDirectory.open(join(dir, "keys.json"));
  const connect = (i: number) =>
    CareLedger.connect({ signer: node.wallet(i), addresses: contracts, store, keys, dataDir: dir });
  const registrar = await connect(0);
  const doctor = await connect(1);
  const patient = await connect(2);
  console.log(await registrar.registrar.registerProvider({ account: doctor.address, kind: ProviderKind.Doctor }));
  const obs = {
    resourceType: "Observation",
    status: "final",
    code: { text: "Heart rate" },
    subject: { reference: "Patient/p1" },
    valueQuantity: { value: 72, unit: "beats/min" },
  };
  const put = await doctor.doctor.putRecord({ patient: patient.address, resource: obs });
  console.log(put);
  const read = await patient.patient.readRecord({ commitment: put.commitment });
  console.log(read.resource);
  const again = await doctor.doctor.putRecord({ patient: patient.address, resource: obs });
  console.log("reused", again.reused, again.commitment === put.commitment);
  try {
    await doctor.doctor.readRecord({ patient: patient.address, commitment: "0x" + "11".repeat(32) });
  } catch (e) {
    console.log("unknown:", (e as Error).name, (e as Error).message);
  }
  const stranger = await connect(5);
  try {
    await stranger.readRecord({ patient: patient.address, commitment: put.commitment });
  } catch (e) {
    console.log("stranger:", (e as Error).name, (e as Error).message);
  }
  try {
    await stranger.doctor.putRecord({ patient: patient.address, resource: obs });
  } catch (e) {
    console.log("unreg:", (e as Error).name, (e as Error).message);
  }
  try {
    await registrar.registrar.registerProvider({ account: doctor.address, kind: ProviderKind.Doctor });
  } catch (e) {
    console.log("dup:", (e as Error).name, (e as Error).message, (e as { args?: unknown }).args);
  }
  console.log(await doctor.audit({}));
} finally {
  await node.stop();
}
