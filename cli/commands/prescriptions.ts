import type { Command } from "commander";

import { DAY, readResource, type CommandKit } from "../command-kit.js";
import { emit, jsonText } from "../output.js";
import { parseNonNegativeInt, parseOptionalAddress, parsePositiveInt } from "../parse.js";
import {
  daysOption,
  patientOption,
  prescriptionCommand,
  readPatient,
  readPrescription,
  type PrescriptionOptions,
} from "../shared-options.js";

/** `careledger prescriptions …`: prescriptions and dispensing. */
export function addPrescriptionCommands(program: Command, { io, withLedger }: CommandKit): void {
  const rx = program.command("prescriptions").description("prescriptions and dispensing");
  rx.command("issue")
    .description("issue a prescription (doctor)")
    .addOption(patientOption())
    .requiredOption("--file <json>", "a FHIR MedicationRequest")
    .requiredOption("--quantity <n>", "units per fill", parsePositiveInt("quantity", 65_535))
    .option("--refills <n>", "fills after the first", parseNonNegativeInt("number of refills", 255), 0)
    .addOption(daysOption("days until it expires", 3650))
    .option("--pharmacy <address>", "the designated pharmacy (default any registered pharmacy)")
    .action(
      withLedger(
        async (
          ledger,
          g,
          o: { patient: string; file: string; quantity: number; refills: number; days: number; pharmacy?: string },
        ) => {
          const result = await ledger.doctor.issuePrescription({
            patient: readPatient(o),
            medicationRequest: await readResource(o.file),
            terms: {
              quantity: o.quantity,
              refills: o.refills,
              pharmacy: parseOptionalAddress(o.pharmacy, "pharmacy"),
              expiresAt: Math.floor(Date.now() / 1000) + o.days * DAY,
            },
          });
          emit(io, g.json, [`Issued prescription ${result.prescription}`, `gas ${result.gasUsed}`], result);
        },
      ),
    );
  prescriptionCommand(rx, "dispense", "dispense part or all of a prescription (pharmacy)")
    .requiredOption("--amount <n>", "units now", parsePositiveInt("amount", 16_777_215))
    .requiredOption("--file <json>", "a FHIR MedicationDispense")
    .action(
      withLedger(async (ledger, g, o: PrescriptionOptions & { amount: number; file: string }) => {
        const result = await ledger.pharmacy.dispensePrescription({
          ...readPrescription(o),
          amount: o.amount,
          medicationDispense: await readResource(o.file),
        });
        emit(
          io,
          g.json,
          [`Dispensed ${result.amount} units (${result.totalDispensed} in all)`, `gas ${result.gasUsed}`],
          result,
        );
      }),
    );
  prescriptionCommand(rx, "cancel", "cancel a prescription (its prescriber)").action(
    withLedger(async (ledger, g, o: PrescriptionOptions) => {
      const result = await ledger.doctor.cancelPrescription(readPrescription(o));
      emit(io, g.json, "Cancelled.", result);
    }),
  );
  prescriptionCommand(rx, "show", "terms and progress of a prescription").action(
    withLedger(async (ledger, g, o: PrescriptionOptions) => {
      const state = await ledger.pharmacy.prescriptionOf(readPrescription(o));
      emit(io, g.json, jsonText(state, 2), state);
    }),
  );
}
