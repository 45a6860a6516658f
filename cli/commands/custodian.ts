import { Option, type Command } from "commander";

import { CustodianService, type RunningCustodian } from "../../client/key-release/custodian-service.js";
import { CliError } from "../cli-error.js";
import { connectProvider, loadDeployment, loadWallet, type GlobalOptions } from "../context.js";
import type { CliIo } from "../output.js";
import { parseNonNegativeInt } from "../parse.js";

interface ServeOptions {
  listen: string;
  confirmations: number;
}

export const DEFAULT_CUSTODIAN_LISTEN = "127.0.0.1:8600";

/**
 * Parses `host:port`, `[ipv6]:port` or a multiaddr `/ip4/<host>/tcp/<port>` (`/ip6/...`); port 0
 * asks the system for a free one.
 */
export function parseListen(text: string): { host: string; port: number } {
  const trimmed = text.trim();
  const multiaddr = /^\/ip[46]\/([0-9a-fA-F:.]+)\/tcp\/(\d{1,5})$/.exec(trimmed);
  const match = multiaddr ?? /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(trimmed);
  const port = match === null ? NaN : Number(match[match.length - 1]);
  if (match === null || port > 65_535) {
    throw new CliError(`The listen address "${text}" must be host:port (for example 127.0.0.1:8600).`, 2);
  }
  return { host: multiaddr !== null ? multiaddr[1] : (match[1] ?? match[2]), port };
}

/**
 * The listen address given on the command line or in the environment. The program may declare a
 * global `--listen` too (the IPFS listen address); commander then hands the value to the program,
 * so the nearest command that received it explicitly wins, else the default.
 */
function listenOf(command: Command, fallback: string): string {
  for (let cmd: Command | null = command; cmd !== null; cmd = cmd.parent) {
    const source = cmd.getOptionValueSource("listen");
    const value: unknown = cmd.getOptionValue("listen");
    if ((source === "cli" || source === "env") && typeof value === "string") return value.split(",")[0];
  }
  return fallback;
}

/**
 * `careledger custodian serve`: runs a key custodian until SIGTERM or SIGINT. Its X25519 keyring
 * and its release log live in --data-dir; its account (--key-file or --keystore) publishes the
 * custodian's encryption key in the EncryptionKeyRegistry. Prints one line when it listens:
 * `custodian <address> listening on http://<host>:<port>`.
 */
export function addCustodianCommand(program: Command, io: CliIo): void {
  const custodian = program.command("custodian").description("threshold key-release custodian");
  custodian
    .command("serve")
    .description("serve key shares to requesters the chain allows (one custodian of n)")
    .addOption(
      new Option("--listen <host:port>", "address to listen on (port 0: any free port)")
        .env("CARELEDGER_CUSTODIAN_LISTEN")
        .default(DEFAULT_CUSTODIAN_LISTEN),
    )
    .addOption(
      new Option("--confirmations <n>", "blocks below the head whose state decides (0 = head)")
        .argParser(parseNonNegativeInt("number of confirmations", 1_000))
        .default(0),
    )
    .action(async (o: ServeOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const { host, port } = parseListen(listenOf(command, o.listen));
      const provider = connectProvider(g.rpc);
      let running: RunningCustodian;
      try {
        const deployment = await loadDeployment(g, provider);
        const wallet = await loadWallet(g);
        running = await startCustodian(() =>
          CustodianService.start({
            dataDir: g.dataDir,
            host,
            port,
            rpcUrl: g.rpc,
            addresses: deployment.contracts,
            signer: wallet,
            confirmations: o.confirmations,
          }),
        );
      } finally {
        provider.destroy();
      }
      io.stdout.write(`custodian ${running.address} listening on ${running.url}\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGTERM", () => resolve());
        process.once("SIGINT", () => resolve());
      });
      await running.close();
    });
}

async function startCustodian(start: () => Promise<RunningCustodian>): Promise<RunningCustodian> {
  try {
    return await start();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "EADDRINUSE") throw new CliError("The listen address is already in use.");
    if (code === "EADDRNOTAVAIL") throw new CliError("The listen address is not an address of this machine.");
    if (code === "EACCES") throw new CliError("The custodian may not listen on that port or write its data directory.");
    throw error;
  }
}
