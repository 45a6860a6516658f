import type { Command } from "commander";

import { Purpose, RecordType } from "../../client/care-types.js";
import { CliError } from "../cli-error.js";
import { readResource, type CommandKit } from "../command-kit.js";
import { emit } from "../output.js";
import { parseBytes32, parseOptionalAddress, parsePurpose, parseRecordType } from "../parse.js";
import { patientOption, readPatient, readRecord, recordOption, type RecordOptions } from "../shared-options.js";

/** `careledger records …`: encrypted records. */
export function addRecordCommands(program: Command, { io, withLedger }: CommandKit): void {
  const records = program.command("records").description("encrypted records");
  records
    .command("put")
    .description("encrypt, store and anchor a FHIR R4 resource")
    .addOption(patientOption())
    .requiredOption("--file <json>", "the FHIR resource")
    .option("--type <type>", "record type (default from the resource)", parseRecordType)
    .option("--sensitive", "only record-level grants open it")
    .action(
      withLedger(async (ledger, g, o: { patient: string; file: string; type?: RecordType; sensitive?: boolean }) => {
        const patient = readPatient(o);
        const resource = await readResource(o.file);
        const result =
          patient === ledger.address
            ? await ledger.patient.putWellnessRecord({ resource, sensitive: o.sensitive })
            : await ledger.doctor.putRecord({ patient, resource, recordType: o.type, sensitive: o.sensitive });
        emit(io, g.json, [`Anchored record ${result.commitment}`, `gas ${result.gasUsed}`], result);
      }),
    );
  records
    .command("get")
    .description("read a record through the chain's access rule")
    .addOption(patientOption())
    .addOption(recordOption())
    .option("--purpose <purpose>", "why you read it", parsePurpose, Purpose.Treatment)
    .action(
      withLedger(async (ledger, g, o: RecordOptions & { purpose: Purpose }) => {
        const result = await ledger.readRecord({ ...readRecord(o), purpose: o.purpose });
        emit(io, g.json, JSON.stringify(result.resource, null, 2), result);
      }),
    );
  records
    .command("verify")
    .description("check a record's stored bytes against its on-chain commitment")
    .addOption(patientOption())
    .addOption(recordOption())
    .action(
      withLedger(async (ledger, g, o: RecordOptions) => {
        const { patient, commitment } = readRecord(o);
        const audit = await ledger.audit({ patient });
        const entry = audit.entries.find((e) => e.commitment.toLowerCase() === commitment);
        if (entry === undefined) throw new CliError("Neither the chain nor the store knows that record.");
        emit(io, g.json, `Record ${commitment}: ${entry.status}.`, entry);
        if (entry.status !== "intact") process.exitCode = 1;
      }),
    );
  records
    .command("list")
    .description("records in the store (metadata only)")
    .option("--patient <address>", "one patient")
    .action(
      withLedger(async (ledger, g, o: { patient?: string }) => {
        const list = await ledger.listRecords({ patient: parseOptionalAddress(o.patient) });
        emit(
          io,
          g.json,
          list.length === 0
            ? "No records."
            : list.map((r) => `${r.commitment}  ${RecordType[r.recordType]}  ${r.patient}`),
          list,
        );
      }),
    );
  records
    .command("erase")
    .description("erase one of your records: on-chain flag, then payload and keys destroyed")
    .addOption(recordOption())
    .action(
      withLedger(async (ledger, g, o: { commitment: string }) => {
        const proof = await ledger.patient.eraseRecord({ commitment: parseBytes32(o.commitment, "commitment") });
        emit(io, g.json, `Erased ${proof.commitment}; ${proof.destroyedRefs.length} stored objects destroyed.`, proof);
      }),
    );
}
