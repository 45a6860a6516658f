import { Command, CommanderError, Option } from "commander";

import { CliError, sentenceOf } from "./cli-error.js";
import { commandKit } from "./command-kit.js";
import { addAuditCommand } from "./commands/audit.js";
import { addConsentCommands } from "./commands/consents.js";
import { addEmergencyCommands } from "./commands/emergency.js";
import { addLabCommands } from "./commands/labs.js";
import { addPrescriptionCommands } from "./commands/prescriptions.js";
import { addProviderCommands } from "./commands/providers.js";
import { addRecordCommands } from "./commands/records.js";
import { applyConfigFile } from "./config-file.js";
import { addCustodianCommand } from "./commands/custodian.js";
import { DEFAULT_DATA_DIR, DEFAULT_DEPLOYMENT, DEFAULT_RPC } from "./context.js";
import type { CliIo } from "./output.js";
import { parsePositiveInt } from "./parse.js";

/** Builds the `careledger` command tree; `run` executes one command line and returns the exit code. */
export function buildProgram(io: CliIo): Command {
  const program = new Command("careledger")
    .description("CareLedger: consent and record-hash registry for healthcare, from the command line.")
    .addOption(new Option("--rpc <url>", "JSON-RPC endpoint").env("CARELEDGER_RPC_URL").default(DEFAULT_RPC))
    .addOption(
      new Option("--deployment <file>", "deployment file written by `npm run deploy`")
        .env("CARELEDGER_DEPLOYMENT")
        .default(DEFAULT_DEPLOYMENT),
    )
    .addOption(
      new Option("--data-dir <dir>", "this party's own store, encryption keys and journal")
        .env("CARELEDGER_DATA_DIR")
        .default(DEFAULT_DATA_DIR),
    )
    .addOption(
      new Option("--custodians <list>", "key custodians as address=url pairs, comma-separated").env(
        "CARELEDGER_CUSTODIANS",
      ),
    )
    .addOption(
      new Option("--custodian-threshold <t>", "custodians that must answer (default a majority)")
        .env("CARELEDGER_CUSTODIAN_THRESHOLD")
        .argParser(parsePositiveInt("custodian threshold", 16)),
    )
    .addOption(
      new Option(
        "--peers <multiaddrs>",
        "IPFS peers to fetch records from, comma-separated (enables the IPFS store)",
      ).env("CARELEDGER_PEERS"),
    )
    .addOption(
      new Option("--listen <multiaddrs>", "where this IPFS node listens, comma-separated (enables the IPFS store)").env(
        "CARELEDGER_LISTEN",
      ),
    )
    .option(
      "--config <file>",
      "settings file (default <data-dir>/careledger.json): rpc, deployment, custodians, peers, ...",
    )
    .option("--key-file <file>", "file holding this account's private key (hex)")
    .option("--keystore <file>", "encrypted JSON keystore (password in CARELEDGER_KEYSTORE_PASSWORD)")
    .option("--json", "print results as JSON for scripts")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => undefined,
    });

  const kit = commandKit(io);
  addProviderCommands(program, kit);
  addRecordCommands(program, kit);
  addConsentCommands(program, kit);
  addPrescriptionCommands(program, kit);
  addLabCommands(program, kit);
  addEmergencyCommands(program, kit);
  addAuditCommand(program, kit);
  program.hook("preAction", async () => {
    await applyConfigFile(program);
  });
  addCustodianCommand(program, io);

  return program;
}

/** Runs one command line; errors become one plain sentence on stderr and a non-zero exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  process.exitCode = undefined;
  try {
    await program.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      const text = error.message.replace(/^error: /, "");
      io.stderr.write(`error: ${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? "" : "."}\n`);
      return 2;
    }
    io.stderr.write(`error: ${sentenceOf(error)}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}
