import type { Command } from "commander";

import { AccessBasis, Purpose, RecordType } from "../../client/care-types.js";
import { CliError } from "../cli-error.js";
import { DAY, type CommandKit } from "../command-kit.js";
import { emit } from "../output.js";
import { parseAddress, parseBytes32, parsePurpose, parseRecordType } from "../parse.js";
import { daysOption, patientOption, readRecord, recordOption, type RecordOptions } from "../shared-options.js";

/** `careledger consents …`: the patient's consent grants. */
export function addConsentCommands(program: Command, { io, withLedger }: CommandKit): void {
  const consents = program.command("consents").description("the patient's consent grants");
  consents
    .command("grant")
    .description("grant access to your records")
    .requiredOption("--grantee <address>", "who may access")
    .option("--record <commitment>", "one record")
    .option("--type <type>", "every non-sensitive record of a type", parseRecordType)
    .option("--all", "every non-sensitive record")
    .requiredOption("--purpose <purpose>", "treatment | dispensing | emergency | research | ...", parsePurpose)
    .addOption(daysOption("how long the grant lasts", 36_500))
    .action(
      withLedger(
        async (
          ledger,
          g,
          o: { grantee: string; record?: string; type?: RecordType; all?: boolean; purpose: Purpose; days: number },
        ) => {
          const chosen = [o.record !== undefined, o.type !== undefined, o.all === true].filter(Boolean).length;
          if (chosen !== 1) throw new CliError("Give exactly one scope: --record, --type or --all.", 2);
          const scope =
            o.record !== undefined
              ? { record: parseBytes32(o.record, "record commitment") }
              : o.type !== undefined
                ? { recordType: o.type }
                : ("all" as const);
          const result = await ledger.patient.grantConsent({
            grantee: parseAddress(o.grantee, "grantee"),
            scope,
            purpose: o.purpose,
            durationSeconds: o.days * DAY,
          });
          emit(io, g.json, [`Granted ${result.grantId}`, `gas ${result.gasUsed}`], result);
        },
      ),
    );
  consents
    .command("revoke <grantId>")
    .description("revoke one of your grants at once")
    .action(
      withLedger(async (ledger, g, grantId: string) => {
        const result = await ledger.patient.revokeConsent({ grantId: parseBytes32(grantId, "grant id") });
        emit(io, g.json, `Revoked ${result.grantId}.`, result);
      }),
    );
  consents
    .command("list")
    .description("your grants, from the chain's events")
    .action(
      withLedger(async (ledger, g) => {
        const grants = await ledger.patient.listGrants();
        emit(
          io,
          g.json,
          grants.length === 0
            ? "No grants."
            : grants.map(
                (x) => `${x.grantId}  ${x.grantee}  ${Purpose[x.purpose]}  ${x.active ? "active" : "inactive"}`,
              ),
          grants,
        );
      }),
    );
  consents
    .command("check")
    .description("may an account access a record for a purpose now?")
    .requiredOption("--accessor <address>", "the account asking")
    .addOption(patientOption())
    .addOption(recordOption())
    .requiredOption("--purpose <purpose>", "why", parsePurpose)
    .action(
      withLedger(async (ledger, g, o: RecordOptions & { accessor: string; purpose: Purpose }) => {
        const basis = await ledger.accessBasis({
          accessor: parseAddress(o.accessor, "accessor"),
          ...readRecord(o),
          purpose: o.purpose,
        });
        const allowed = basis !== AccessBasis.None;
        emit(io, g.json, allowed ? `Allowed (${AccessBasis[basis]}).` : "Not allowed.", {
          allowed,
          basis: AccessBasis[basis],
        });
      }),
    );
}
