import type { Command } from "commander";

import { type CommandKit } from "../command-kit.js";
import { emit } from "../output.js";
import { parsePositiveInt } from "../parse.js";
import { patientOption, readPatient } from "../shared-options.js";
import { HOUR } from "../../client/time-units.js";

/** `careledger emergency …`: break-glass access. */
export function addEmergencyCommands(program: Command, { io, withLedger }: CommandKit): void {
  const emergency = program.command("emergency").description("break-glass access (emergency department)");
  emergency
    .command("open")
    .description("open time-limited access to an unresponsive patient's records")
    .addOption(patientOption())
    .requiredOption("--reason <code>", "reason code from your published list", parsePositiveInt("reason code", 65_535))
    .option("--hours <n>", "at most 24", parsePositiveInt("number of hours", 24), 4)
    .action(
      withLedger(async (ledger, g, o: { patient: string; reason: number; hours: number }) => {
        const result = await ledger.emergency.openEmergencyAccess({
          patient: readPatient(o),
          reasonCode: o.reason,
          durationSeconds: o.hours * HOUR,
        });
        emit(io, g.json, `Break-glass open until ${new Date(result.expiresAt * 1000).toISOString()}.`, result);
      }),
    );
  emergency
    .command("close")
    .description("end your session early")
    .addOption(patientOption())
    .action(
      withLedger(async (ledger, g, o: { patient: string }) => {
        const result = await ledger.emergency.closeEmergencyAccess({ patient: readPatient(o) });
        emit(io, g.json, "Closed.", result);
      }),
    );
}
