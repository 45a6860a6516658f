// A key custodian as its own OS process: `careledger custodian serve` on 127.0.0.1, with its key
// file and release log in its own directory. Shared by the organisations harness, the key-release
// tests and the release benchmark, so all three start custodians the way an operator does.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { devAccountKey } from "./hardhat-node.js";

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(PROJECT_ROOT, "bin", "careledger.js");
const START_TIMEOUT_MS = 60_000;

/** A running custodian process. */
export interface CustodianProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly address: string;
  /** The tail of its error output, to say why it stopped if it does. */
  stderr(): string;
  /** Resolves with the exit code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnCustodianOptions {
  readonly rpcUrl: string;
  readonly deployment: string;
  readonly dataDir: string;
  /** Hardhat development account whose key the custodian signs with. */
  readonly keyIndex: number;
  /** Where its key file is written (mode 0600). */
  readonly keyDir: string;
  /** host:port; default an ephemeral port on 127.0.0.1. */
  readonly listen?: string;
}

/** Spawns `careledger custodian serve` and waits for the one line that says where it listens. */
export async function spawnCustodian(options: SpawnCustodianOptions): Promise<CustodianProcess> {
  const keyFile = join(options.keyDir, `custodian-${options.keyIndex}.key`);
  await writeFile(keyFile, `${devAccountKey(options.keyIndex)}\n`, { mode: 0o600 });
  const args = ["--rpc", options.rpcUrl, "--deployment", options.deployment, "--data-dir", options.dataDir];
  const child = spawn(
    process.execPath,
    [CLI, ...args, "--key-file", keyFile, "custodian", "serve", "--listen", options.listen ?? "127.0.0.1:0"],
    { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } },
  );
  // A custodian must not outlive the process that started it, even when that one crashes.
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      process.off("exit", killOnExit);
      resolve({ code, signal });
    }),
  );
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`custodian did not start: ${stderr}`)), START_TIMEOUT_MS);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf("\n");
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(stdout.slice(0, newline));
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`custodian exited (${code}) before listening: ${stderr}`));
    });
  });
  const match = /^custodian (0x[0-9a-fA-F]{40}) listening on (http:\/\/\S+)$/.exec(line);
  if (match === null) throw new Error(`unexpected custodian output: ${line}`);
  return { child, url: match[2], address: match[1], stderr: () => stderr, exited };
}
