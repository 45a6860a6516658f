import type { Command } from "commander";

import { type CommandKit } from "../command-kit.js";
import { emit } from "../output.js";
import { parseOptionalAddress } from "../parse.js";

/** `careledger audit …`: the audit of the store against the chain. */
export function addAuditCommand(program: Command, { io, withLedger }: CommandKit): void {
  program
    .command("audit")
    .description("compare the store with the chain: intact, altered, missing, never anchored")
    .option("--patient <address>", "one patient (default all)")
    .action(
      withLedger(async (ledger, g, o: { patient?: string }) => {
        const report = await ledger.audit({ patient: parseOptionalAddress(o.patient) });
        const summary = Object.entries(report.counts)
          .map(([status, n]) => `${n} ${status}`)
          .join(", ");
        const problems = report.entries.filter((e) => e.status !== "intact" && e.status !== "erased");
        emit(
          io,
          g.json,
          [`Audit: ${summary}.`, ...problems.map((e) => `  ${e.status}: ${e.patient} ${e.commitment}`)],
          report,
        );
        if (problems.length > 0 || report.unreadableRefs.length > 0) process.exitCode = 1;
      }),
    );
}
