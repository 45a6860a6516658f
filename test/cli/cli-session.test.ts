import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { observationNote } from "../../harness/demo-resources.js";
import { devAccountKey, startHardhatNode, type HardhatNode } from "../helpers/node.js";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A key custodian started as `careledger custodian serve` in its own process and directory. */
interface CustodianChild {
  readonly address: string;
  readonly url: string;
  readonly child: ChildProcess;
}

/** Starts a custodian and waits for its one line: `custodian <address> listening on <url>`. */
function startCustodian(args: string[], env: NodeJS.ProcessEnv): Promise<CustodianChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/careledger.js", ...args, "custodian", "serve"], {
      // Any free port: the environment variable is the serve command's own, never the IPFS --listen.
      env: { ...process.env, ...env, CARELEDGER_CUSTODIAN_LISTEN: "127.0.0.1:0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split("\n")[0];
      if (!stdout.includes("\n")) return;
      const match = /^custodian (0x[0-9a-fA-F]{40}) listening on (http:\/\/\S+)$/.exec(line.trim());
      if (match === null) reject(new Error(`unexpected custodian output: ${line}`));
      else resolve({ address: match[1], url: match[2], child });
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`custodian exited (${code}): ${stderr}`)));
  });
}

describe("careledger CLI against hardhat node", function () {
  this.timeout(600_000);
  let node: HardhatNode;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const custodians: CustodianChild[] = [];
  const keyFile = (name: string): string => join(dir, `${name}.key`);
  /** Each party's own --data-dir: its encryption keyring and journal; the record store is shared. */
  const dataDir = (name: string): string => join(dir, "parties", name);
  const custodianList = (): string => custodians.map((custodian) => `${custodian.address}=${custodian.url}`).join(",");
  const run = (account: string, withCustodians: boolean, ...args: string[]): Promise<Run> =>
    runProcess(
      process.execPath,
      [
        "bin/careledger.js",
        "--key-file",
        keyFile(account),
        "--data-dir",
        dataDir(account),
        ...(withCustodians && custodians.length > 0 ? ["--custodians", custodianList()] : []),
        "--json",
        ...args,
      ],
      env,
    );
  const cli = (account: string, ...args: string[]): Promise<Run> => run(account, true, ...args);
  const address = (index: number): string => node.wallet(index).address;

  before(async function () {
    node = await startHardhatNode();
    dir = await mkdtemp(join(tmpdir(), "careledger-cli-"));
    env = {
      CI: "true",
      CARELEDGER_RPC_URL: node.url,
      CARELEDGER_LOCALHOST_URL: node.url,
      CARELEDGER_DEPLOYMENT: join(dir, "deployment.json"),
      CARELEDGER_DEPLOYMENT_ID: `cli-test-${node.port}`,
    };
    // The parties share one record store (as if on a shared volume); keys never leave their own directory.
    await mkdir(join(dir, "shared-store"), { recursive: true });
    for (const [name, index] of [
      ["registrar", 0],
      ["doctor", 1],
      ["patient", 5],
      ["reader", 6],
      ["custodian0", 7],
      ["custodian1", 8],
      ["custodian2", 9],
    ] as const) {
      await writeFile(keyFile(name), `${devAccountKey(index)}\n`, { mode: 0o600 });
      if (name.startsWith("custodian")) continue;
      await mkdir(dataDir(name), { recursive: true });
      await symlink(join(dir, "shared-store"), join(dataDir(name), "store"), "dir");
    }
  });

  after(async function () {
    for (const custodian of custodians) custodian.child.kill("SIGTERM");
    await node?.stop();
    await rm(join("ignition", "deployments", `cli-test-${node.port}`), { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  it("deploys with the deploy command, then runs a whole session", async function () {
    const deploy = await runProcess(
      process.execPath,
      ["node_modules/hardhat/dist/src/cli.js", "run", "scripts/deploy.ts", "--network", "localhost"],
      env,
    );
    expect(deploy.code, deploy.stderr).to.equal(0);
    expect(deploy.stdout).to.match(/CareLedger is deployed on localhost \(chain 31337\)/);

    // Three key custodians, each its own process, account and directory.
    for (let index = 0; index < 3; index += 1) {
      custodians.push(
        await startCustodian(
          ["--key-file", keyFile(`custodian${index}`), "--data-dir", join(dir, "custodians", String(index))],
          env,
        ),
      );
    }
    expect(custodians.map((custodian) => custodian.address)).to.deep.equal([7, 8, 9].map(address));

    const doctor = address(1);
    const patient = address(5);
    const reader = address(6);
    for (const account of [doctor, reader]) {
      const registered = await cli("registrar", "providers", "register", account, "--kind", "doctor");
      expect(registered.code, registered.stderr).to.equal(0);
    }
    // Every party publishes its encryption key on-chain on its first command.
    for (const party of ["patient", "reader"]) {
      const listed = await cli(party, "records", "list");
      expect(listed.code, listed.stderr).to.equal(0);
    }

    const resourceFile = join(dir, "note.json");
    await writeFile(resourceFile, JSON.stringify(observationNote(patient)));
    const put = await cli("doctor", "records", "put", "--patient", patient, "--file", resourceFile);
    expect(put.code, put.stderr).to.equal(0);
    const commitment = (JSON.parse(put.stdout) as { commitment: string }).commitment;
    expect(commitment).to.match(/^0x[0-9a-f]{64}$/);

    const grant = await cli(
      "patient",
      "consents",
      "grant",
      "--grantee",
      reader,
      "--record",
      commitment,
      "--purpose",
      "treatment",
    );
    expect(grant.code, grant.stderr).to.equal(0);
    const grantId = (JSON.parse(grant.stdout) as { grantId: string }).grantId;

    const check = await cli(
      "reader",
      "consents",
      "check",
      "--accessor",
      reader,
      "--patient",
      patient,
      "--commitment",
      commitment,
      "--purpose",
      "treatment",
    );
    expect(JSON.parse(check.stdout)).to.deep.equal({ allowed: true, basis: "Consent" });

    // The grant moved no key: without custodians the reader gets the envelope but cannot open it.
    const keyless = await run("reader", false, "records", "get", "--patient", patient, "--commitment", commitment);
    expect(keyless.code).to.equal(1);
    expect(keyless.stdout).to.equal("");
    expect(keyless.stderr).to.match(/^error: .+\.\n$/);
    expect(keyless.stderr).to.not.match(/Access denied/);

    const read = await cli("reader", "records", "get", "--patient", patient, "--commitment", commitment);
    expect(read.code, read.stderr).to.equal(0);
    expect((JSON.parse(read.stdout) as { resource: { resourceType: string } }).resource.resourceType).to.equal(
      "Observation",
    );
    // Through the custodians: at least two of them logged the release to the reader.
    const logged: string[] = [];
    for (const [index, custodian] of custodians.entries()) {
      const log = await readFile(join(dir, "custodians", String(index), "releases.jsonl"), "utf8").catch(() => "");
      const lines = log.split("\n").filter((line) => line.trim() !== "");
      const entries = lines.map((line) => JSON.parse(line) as { requester: string; commitment: string });
      if (entries.some((entry) => entry.requester === reader && entry.commitment === commitment)) {
        logged.push(custodian.address);
      }
    }
    expect(logged.length).to.be.at.least(2);

    const revoke = await cli("patient", "consents", "revoke", grantId);
    expect(revoke.code, revoke.stderr).to.equal(0);

    const refused = await cli("reader", "records", "get", "--patient", patient, "--commitment", commitment);
    expect(refused.code).to.equal(1);
    expect(refused.stdout).to.equal("");
    expect(refused.stderr).to.match(/^error: Access denied: .+ may not read that record of .+ for Treatment\.\n$/);

    const audit = await cli("patient", "audit", "--patient", patient);
    expect(audit.code, audit.stderr).to.equal(0);
    const report = JSON.parse(audit.stdout) as { counts: Record<string, number> };
    expect(report.counts.intact).to.equal(1);
  });

  it("answers bad input with one plain sentence and a non-zero exit", async function () {
    const cases: [string[], RegExp][] = [
      [
        ["records", "get", "--patient", "0x1234", "--commitment", "0x00"],
        /^error: The patient "0x1234" is not an Ethereum address\.\n$/,
      ],
      [
        ["consents", "grant", "--grantee", address(6), "--purpose", "treatment"],
        /^error: Give exactly one scope: --record, --type or --all\.\n$/,
      ],
      [
        ["consents", "grant", "--grantee", address(6), "--all", "--purpose", "gossip"],
        /^error: Unknown purpose "gossip"; use one of .+\.\n$/,
      ],
      [
        ["emergency", "open", "--patient", address(5), "--reason", "1", "--hours", "48"],
        /^error: The number of hours must be a whole number from 1 to 24\.\n$/,
      ],
      [["records", "put", "--patient", address(5)], /^error: Required option '--file <json>' not specified\.\n$/],
    ];
    for (const [args, message] of cases) {
      const result = await cli("doctor", ...args);
      expect(result.code, args.join(" ")).to.be.greaterThan(0);
      expect(result.stderr).to.match(message);
    }
    const noKey = await runProcess(process.execPath, ["bin/careledger.js", "records", "list"], env);
    expect(noKey.code).to.equal(2);
    expect(noKey.stderr).to.equal(
      "error: This command signs transactions: give --key-file <file> or --keystore <file>.\n",
    );
    const wrongChain = await runProcess(
      process.execPath,
      ["bin/careledger.js", "--key-file", keyFile("doctor"), "--rpc", "http://127.0.0.1:9", "records", "list"],
      env,
    );
    expect(wrongChain.code).to.equal(1);
    expect(wrongChain.stderr).to.match(/^error: The node at http:\/\/127\.0\.0\.1:9 does not answer; .+\.\n$/);
  });
});
