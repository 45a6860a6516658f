import type { Command } from "commander";

import { DAY, readResource, type CommandKit } from "../command-kit.js";
import { emit, jsonText } from "../output.js";
import { parseAddress, parseBytes32, parseNonNegativeInt, parseOptionalAddress, parsePositiveInt } from "../parse.js";

/** `careledger prescriptions …`: prescriptions and dispensing. */
export function addPrescriptionCommands(program: Command, { io, withLedger }: CommandKit): void {
  const rx = program.command("prescriptions").description("prescriptions and dispensing");
  rx.command("issue")
    .description("issue a prescription (doctor)")
    .requiredOption("--patient <address>", "the patient")
    .requiredOption("--file <json>", "a FHIR MedicationRequest")
    .requiredOption("--quantity <n>", "units per fill", parsePositiveInt("quantity", 65_535))
    .option("--refills <n>", "fills after the first", parseNonNegativeInt("number of refills", 255), 0)
    .option("--days <n>", "days until it expires", parsePositiveInt("number of days", 3650), 30)
    .option("--pharmacy <address>", "the designated pharmacy (default any registered pharmacy)")
    .action(
      withLedger(
        async (
          ledger,
          g,
          o: { patient: string; file: string; quantity: number; refills: number; days: number; pharmacy?: string },
        ) => {
          const result = await ledger.doctor.issuePrescription({
            patient: parseAddress(o.patient, "patient"),
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
  rx.command("dispense")
    .description("dispense part or all of a prescription (pharmacy)")
    .requiredOption("--patient <address>", "the patient")
    .requiredOption("--prescription <commitment>", "the prescription")
    .requiredOption("--amount <n>", "units now", parsePositiveInt("amount", 16_777_215))
    .requiredOption("--file <json>", "a FHIR MedicationDispense")
    .action(
      withLedger(async (ledger, g, o: { patient: string; prescription: string; amount: number; file: string }) => {
        const result = await ledger.pharmacy.dispensePrescription({
          patient: parseAddress(o.patient, "patient"),
          prescription: parseBytes32(o.prescription, "prescription"),
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
  rx.command("cancel")
    .description("cancel a prescription (its prescriber)")
    .requiredOption("--patient <address>", "the patient")
    .requiredOption("--prescription <commitment>", "the prescription")
    .action(
      withLedger(async (ledger, g, o: { patient: string; prescription: string }) => {
        const result = await ledger.doctor.cancelPrescription({
          patient: parseAddress(o.patient, "patient"),
          prescription: parseBytes32(o.prescription, "prescription"),
        });
        emit(io, g.json, "Cancelled.", result);
      }),
    );
  rx.command("show")
    .description("terms and progress of a prescription")
    .requiredOption("--patient <address>", "the patient")
    .requiredOption("--prescription <commitment>", "the prescription")
    .action(
      withLedger(async (ledger, g, o: { patient: string; prescription: string }) => {
        const state = await ledger.pharmacy.prescriptionOf({
          patient: parseAddress(o.patient, "patient"),
          prescription: parseBytes32(o.prescription, "prescription"),
        });
        emit(io, g.json, jsonText(state, 2), state);
      }),
    );
}
