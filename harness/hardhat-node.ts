import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { HDNodeWallet, JsonRpcProvider, Mnemonic, Wallet } from "ethers";

/** The mnemonic of Hardhat's well-known development accounts. */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/** A `hardhat node` child process serving JSON-RPC on 127.0.0.1. */
export interface HardhatNode {
  readonly url: string;
  readonly port: number;
  /** A provider without the 250 ms cache, so back-to-back sends see fresh nonces. */
  readonly provider: JsonRpcProvider;
  /** Development account `index` (m/44'/60'/0'/0/index of the Hardhat mnemonic) on this node. */
  wallet(index: number): Wallet;
  /** Stops the node and waits for the process to exit. */
  stop(): Promise<void>;
}

/** Asks the OS for a free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("no port"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** The private key of Hardhat's development account `index`. */
export function devAccountKey(index: number): string {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_MNEMONIC), `m/44'/60'/0'/0/${index}`).privateKey;
}

/**
 * Starts `hardhat node --hostname 127.0.0.1 --port <free port>` from the project root, waits until
 * it answers eth_chainId, and returns a handle whose `stop()` kills it (SIGTERM, then SIGKILL).
 */
export async function startHardhatNode(options: { timeoutMs?: number } = {}): Promise<HardhatNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const cli = join(dirname(require.resolve("hardhat/package.json")), "dist", "src", "cli.js");
  const child = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  let output = "";
  const collect = (chunk: Buffer): void => {
    // Keep only the tail: the node logs every request.
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // Never outlive the test process, even when a suite forgets to stop the node.
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  void exited.then(() => process.off("exit", killOnExit));

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited early (${child.exitCode}): ${output}`);
    if (await answers(url)) break;
    if (Date.now() > deadline) {
      await kill(child, exited);
      throw new Error(`hardhat node did not answer on ${url}: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  return {
    url,
    port,
    provider,
    wallet: (index: number) => new Wallet(devAccountKey(index), provider),
    stop: async () => {
      provider.destroy();
      await kill(child, exited);
    },
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(1_000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

async function kill(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
