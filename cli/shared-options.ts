import { Option, type Command } from "commander";

import { parseAddress, parseBytes32, parsePositiveInt } from "./parse.js";

// Options several commands declare, made in one place so their flags and help read the same everywhere.
// Their values are checked in the action (the read* functions), after the ledger opens, as every
// other argument is: a missing key or deployment is still the first thing a user is told about.

/** `--patient <address>`, required. */
export function patientOption(): Option {
  return new Option("--patient <address>", "the patient").makeOptionMandatory();
}

/** `--commitment <hex>`, required: a record by its on-chain commitment. */
export function recordOption(): Option {
  return new Option("--commitment <hex>", "the record").makeOptionMandatory();
}

/** `--prescription <commitment>`, required. */
export function prescriptionOption(): Option {
  return new Option("--prescription <commitment>", "the prescription").makeOptionMandatory();
}

/** A subcommand of `parent` that names one prescription: `--patient` and `--prescription` (see `readPrescription`). */
export function prescriptionCommand(parent: Command, name: string, description: string): Command {
  return parent.command(name).description(description).addOption(patientOption()).addOption(prescriptionOption());
}

/** `--days <n>`, 30 unless given: how far off a deadline is; `max` is the command's own cap. */
export function daysOption(description: string, max: number): Option {
  return new Option("--days <n>", description).argParser(parsePositiveInt("number of days", max)).default(30);
}

export function readPatient(o: { patient: string }): string {
  return parseAddress(o.patient, "patient");
}

export interface RecordOptions {
  patient: string;
  commitment: string;
}

/** The patient, then the record: the order their errors are reported in. */
export function readRecord(o: RecordOptions): RecordOptions {
  return { patient: readPatient(o), commitment: parseBytes32(o.commitment, "commitment") };
}

export interface PrescriptionOptions {
  patient: string;
  prescription: string;
}

/** The patient, then the prescription: the order their errors are reported in. */
export function readPrescription(o: PrescriptionOptions): PrescriptionOptions {
  return { patient: readPatient(o), prescription: parseBytes32(o.prescription, "prescription") };
}
