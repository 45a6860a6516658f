import type { Command } from "commander";

import { type CommandKit } from "../command-kit.js";
import { emit } from "../output.js";
import { parseAddress, parsePositiveInt } from "../parse.js";

/** `careledger emergency …`: break-glass access. */
export function addEmergencyCommands(program: Command, { io, withLedger }: CommandKit): void {
  const emergency = program.command("emergency").description("break-glass access (emergency department)");
  emergency
    .command("open")
    .description("open time-limited access to an unresponsive patient's records")
    .requiredOption("--patient <address>", "the patient")
    .requiredOption("--reason <code>", "reason code from your published list", parsePositiveInt("reason code", 65_535))
    .option("--hours <n>", "at most 24", parsePositiveInt("number of hours", 24), 4)
    .action(
      withLedger(async (ledger, g, o: { patient: string; reason: number; hours: number }) => {
        const result = await ledger.emergency.openEmergencyAccess({
          patient: parseAddress(o.patient, "patient"),
          reasonCode: o.reason,
          durationSeconds: o.hours * 3600,
        });
        emit(io, g.json, `Break-glass open until ${new Date(result.expiresAt * 1000).toISOString()}.`, result);
      }),
    );
  emergency
    .command("close")
    .description("end your session early")
    .requiredOption("--patient <address>", "the patient")
    .action(
      withLedger(async (ledger, g, o: { patient: string }) => {
        const result = await ledger.emergency.closeEmergencyAccess({ patient: parseAddress(o.patient, "patient") });
        emit(io, g.json, "Closed.", result);
      }),
    );
}
