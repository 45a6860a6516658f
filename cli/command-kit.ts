import { readFile } from "node:fs/promises";

import type { Command } from "commander";

import { CliError } from "./cli-error.js";
import { openLedger, type GlobalOptions } from "./context.js";
import type { CliIo } from "./output.js";

export { DAY } from "../client/time-units.js";

export type Ledger = Awaited<ReturnType<typeof openLedger>>["ledger"];

/** An action that needs the caller's client, with the global options and the command's own arguments. */
export type LedgerAction<A extends unknown[]> = (ledger: Ledger, g: GlobalOptions, ...args: A) => Promise<void>;

/** What every command group needs: where to write, and a client opened for the action and closed after it. */
export interface CommandKit {
  readonly io: CliIo;
  withLedger<A extends unknown[]>(work: LedgerAction<A>): (...args: A) => Promise<void>;
}

export function commandKit(io: CliIo): CommandKit {
  return {
    io,
    withLedger:
      <A extends unknown[]>(work: LedgerAction<A>) =>
      async (...args: A): Promise<void> => {
        // Commander passes the command itself last; its options include the global ones.
        const command = args[args.length - 1] as Command;
        const g = command.optsWithGlobals<GlobalOptions>();
        const { ledger, close } = await openLedger(g);
        try {
          await work(ledger, g, ...args);
        } finally {
          await close();
        }
      },
  };
}

/** A FHIR resource from a JSON file; a plain sentence when it cannot be read or parsed. */
export async function readResource(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new CliError(`The resource file ${path} cannot be read.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CliError(`The resource file ${path} is not valid JSON.`);
  }
}
