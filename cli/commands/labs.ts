import type { Command } from "commander";

import { readResource, type CommandKit } from "../command-kit.js";
import { emit } from "../output.js";
import { parseAddress, parseBytes32 } from "../parse.js";
import { patientOption, readPatient } from "../shared-options.js";

/** `careledger labs …`: laboratory orders and results. */
export function addLabCommands(program: Command, { io, withLedger }: CommandKit): void {
  const labs = program.command("labs").description("laboratory orders and results");
  labs
    .command("order")
    .description("order a test at a laboratory (doctor)")
    .addOption(patientOption())
    .requiredOption("--file <json>", "a FHIR ServiceRequest")
    .requiredOption("--lab <address>", "the laboratory")
    .action(
      withLedger(async (ledger, g, o: { patient: string; file: string; lab: string }) => {
        const result = await ledger.doctor.orderLabTest({
          patient: readPatient(o),
          serviceRequest: await readResource(o.file),
          laboratory: parseAddress(o.lab, "laboratory"),
        });
        emit(io, g.json, [`Ordered ${result.order}`, `gas ${result.gasUsed}`], result);
      }),
    );
  labs
    .command("result")
    .description("post the result of an order (the addressed laboratory)")
    .addOption(patientOption())
    .requiredOption("--order <commitment>", "the order")
    .requiredOption("--file <json>", "a FHIR DiagnosticReport")
    .option("--sensitive", "only record-level grants open it")
    .action(
      withLedger(async (ledger, g, o: { patient: string; order: string; file: string; sensitive?: boolean }) => {
        const result = await ledger.laboratory.postLabResult({
          patient: readPatient(o),
          order: parseBytes32(o.order, "order"),
          diagnosticReport: await readResource(o.file),
          sensitive: o.sensitive,
        });
        emit(io, g.json, [`Posted result ${result.result}`, `gas ${result.gasUsed}`], result);
      }),
    );
}
