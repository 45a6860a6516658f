import { readFile } from "node:fs/promises";

import { Command, CommanderError, Option } from "commander";

import { AccessBasis, Purpose, RecordType } from "../client/care-types.js";
import { CliError, sentenceOf } from "./cli-error.js";
import { applyConfigFile } from "./config-file.js";
import { addCustodianCommand } from "./custodian-command.js";
import { ConsentManager__factory } from "../typechain-types/index.js";
import {
  DEFAULT_DATA_DIR,
  DEFAULT_DEPLOYMENT,
  DEFAULT_RPC,
  connectProvider,
  openLedger,
  type GlobalOptions,
} from "./context.js";
import { emit, type CliIo } from "./output.js";
import {
  kindName,
  parseAddress,
  parseBytes32,
  parseForm,
  parseHipaa,
  parseKind,
  parseNonNegativeInt,
  parsePositiveInt,
  parsePurpose,
  parseRecordType,
} from "./parse.js";

const DAY = 24 * 60 * 60;

async function readResource(path: string): Promise<unknown> {
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

type Ledger = Awaited<ReturnType<typeof openLedger>>["ledger"];

interface GrantListing {
  grantId: string;
  grantee: string;
  purpose: string;
  validUntil: number;
  active: boolean;
}

/** The caller's grants, from ConsentGranted events, with their current state read from the contract. */
async function listGrants(ledger: Ledger, g: GlobalOptions): Promise<GrantListing[]> {
  const provider = connectProvider(g.rpc);
  try {
    const consent = ConsentManager__factory.connect(ledger.addresses.consent, provider);
    const events = await consent.queryFilter(consent.filters.ConsentGranted(ledger.address), 0);
    const latest = new Map<string, GrantListing>();
    for (const event of events) {
      const grantId = event.args.grantId;
      latest.set(grantId, {
        grantId,
        grantee: event.args.grantee,
        purpose: Purpose[Number(event.args.purpose)] ?? String(event.args.purpose),
        validUntil: Number(event.args.validUntil),
        active: await consent.isGrantActive(ledger.address, grantId),
      });
    }
    return [...latest.values()];
  } finally {
    provider.destroy();
  }
}

/** Builds the `careledger` command tree; `run` executes one command line and returns the exit code. */
export function buildProgram(io: CliIo): Command {
  const program = new Command("careledger")
    .description("CareLedger: consent and record-hash registry for healthcare, from the command line.")
    .addOption(new Option("--rpc <url>", "JSON-RPC endpoint").env("CARELEDGER_RPC_URL").default(DEFAULT_RPC))
    .addOption(
      new Option("--deployment <file>", "deployment file written by `npm run deploy`")
        .env("CARELEDGER_DEPLOYMENT")
        .default(DEFAULT_DEPLOYMENT),
    )
    .addOption(
      new Option("--data-dir <dir>", "this party's own store, encryption keys and journal")
        .env("CARELEDGER_DATA_DIR")
        .default(DEFAULT_DATA_DIR),
    )
    .addOption(
      new Option("--custodians <list>", "key custodians as address=url pairs, comma-separated").env(
        "CARELEDGER_CUSTODIANS",
      ),
    )
    .addOption(
      new Option("--custodian-threshold <t>", "custodians that must answer (default a majority)")
        .env("CARELEDGER_CUSTODIAN_THRESHOLD")
        .argParser(parsePositiveInt("custodian threshold", 16)),
    )
    .addOption(
      new Option(
        "--peers <multiaddrs>",
        "IPFS peers to fetch records from, comma-separated (enables the IPFS store)",
      ).env("CARELEDGER_PEERS"),
    )
    .addOption(
      new Option("--listen <multiaddrs>", "where this IPFS node listens, comma-separated (enables the IPFS store)").env(
        "CARELEDGER_LISTEN",
      ),
    )
    .option(
      "--config <file>",
      "settings file (default <data-dir>/careledger.json): rpc, deployment, custodians, peers, ...",
    )
    .option("--key-file <file>", "file holding this account's private key (hex)")
    .option("--keystore <file>", "encrypted JSON keystore (password in CARELEDGER_KEYSTORE_PASSWORD)")
    .option("--json", "print results as JSON for scripts")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => undefined,
    });

  const withLedger =
    <A extends unknown[]>(work: (ledger: Ledger, g: GlobalOptions, ...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const g = command.optsWithGlobals<GlobalOptions>();
      const { ledger, close } = await openLedger(g);
      try {
        await work(ledger, g, ...args);
      } finally {
        await close();
      }
    };

  // providers
  const providers = program.command("providers").description("the provider directory (registrar)");
  providers
    .command("register <account>")
    .description("register a provider")
    .requiredOption("--kind <kind>", "doctor | pharmacy | laboratory | emergency-department | hospital", parseKind)
    .option("--form <form>", "practitioner | organisation", parseForm)
    .option("--hipaa <role>", "covered-entity | business-associate", parseHipaa)
    .option("--organisation <address>", "the organisation a practitioner belongs to")
    .action(
      withLedger(
        async (
          ledger,
          g,
          account: string,
          o: { kind: number; form?: number; hipaa?: number; organisation?: string },
        ) => {
          const result = await ledger.registrar.registerProvider({
            account: parseAddress(account, "account"),
            kind: o.kind,
            form: o.form,
            hipaa: o.hipaa,
            organisation: o.organisation === undefined ? undefined : parseAddress(o.organisation, "organisation"),
          });
          emit(io, g.json, `Registered ${account} as a ${kindName(o.kind)} (gas ${result.gasUsed}).`, result);
        },
      ),
    );
  providers
    .command("suspend <account>")
    .description("suspend a provider at once")
    .option("--reason <code>", "a reason code (32 bytes hex) from your registrar's list", "0x" + "0".repeat(64))
    .action(
      withLedger(async (ledger, g, account: string, o: { reason: string }) => {
        const result = await ledger.registrar.suspendProvider({
          account: parseAddress(account, "account"),
          reasonCode: parseBytes32(o.reason, "reason code"),
        });
        emit(io, g.json, `Suspended ${account}.`, result);
      }),
    );
  providers
    .command("reinstate <account>")
    .description("lift a suspension")
    .action(
      withLedger(async (ledger, g, account: string) => {
        const result = await ledger.registrar.reinstateProvider({ account: parseAddress(account, "account") });
        emit(io, g.json, `Reinstated ${account}.`, result);
      }),
    );
  providers
    .command("show <account>")
    .description("a provider's directory entry")
    .action(
      withLedger(async (ledger, g, account: string) => {
        const entry = await ledger.registrar.providerOf(parseAddress(account, "account"));
        emit(
          io,
          g.json,
          `${account}: ${JSON.stringify(entry, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`,
          entry,
        );
      }),
    );

  // records
  const records = program.command("records").description("encrypted records");
  records
    .command("put")
    .description("encrypt, store and anchor a FHIR R4 resource")
    .requiredOption("--patient <address>", "the patient")
    .requiredOption("--file <json>", "the FHIR resource")
    .option("--type <type>", "record type (default from the resource)", parseRecordType)
    .option("--sensitive", "only record-level grants open it")
    .action(
      withLedger(async (ledger, g, o: { patient: string; file: string; type?: RecordType; sensitive?: boolean }) => {
        const patient = parseAddress(o.patient, "patient");
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
    .requiredOption("--patient <address>", "the patient")
    .requiredOption("--commitment <hex>", "the record")
    .option("--purpose <purpose>", "why you read it", parsePurpose, Purpose.Treatment)
    .action(
      withLedger(async (ledger, g, o: { patient: string; commitment: string; purpose: Purpose }) => {
        const result = await ledger.readRecord({
          patient: parseAddress(o.patient, "patient"),
          commitment: parseBytes32(o.commitment, "commitment"),
          purpose: o.purpose,
        });
        emit(io, g.json, JSON.stringify(result.resource, null, 2), result);
      }),
    );
  records
    .command("verify")
    .description("check a record's stored bytes against its on-chain commitment")
    .requiredOption("--patient <address>", "the patient")
    .requiredOption("--commitment <hex>", "the record")
    .action(
      withLedger(async (ledger, g, o: { patient: string; commitment: string }) => {
        const patient = parseAddress(o.patient, "patient");
        const commitment = parseBytes32(o.commitment, "commitment");
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
        const list = await ledger.listRecords({
          patient: o.patient === undefined ? undefined : parseAddress(o.patient),
        });
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
    .requiredOption("--commitment <hex>", "the record")
    .action(
      withLedger(async (ledger, g, o: { commitment: string }) => {
        const proof = await ledger.patient.eraseRecord({ commitment: parseBytes32(o.commitment, "commitment") });
        emit(io, g.json, `Erased ${proof.commitment}; ${proof.destroyedRefs.length} stored objects destroyed.`, proof);
      }),
    );

  // consents
  const consents = program.command("consents").description("the patient's consent grants");
  consents
    .command("grant")
    .description("grant access to your records")
    .requiredOption("--grantee <address>", "who may access")
    .option("--record <commitment>", "one record")
    .option("--type <type>", "every non-sensitive record of a type", parseRecordType)
    .option("--all", "every non-sensitive record")
    .requiredOption("--purpose <purpose>", "treatment | dispensing | emergency | research | ...", parsePurpose)
    .option("--days <n>", "how long the grant lasts", parsePositiveInt("number of days", 36_500), 30)
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
        const grants = await listGrants(ledger, g);
        emit(
          io,
          g.json,
          grants.length === 0
            ? "No grants."
            : grants.map((x) => `${x.grantId}  ${x.grantee}  ${x.purpose}  ${x.active ? "active" : "inactive"}`),
          grants,
        );
      }),
    );
  consents
    .command("check")
    .description("may an account access a record for a purpose now?")
    .requiredOption("--accessor <address>", "the account asking")
    .requiredOption("--patient <address>", "the patient")
    .requiredOption("--commitment <hex>", "the record")
    .requiredOption("--purpose <purpose>", "why", parsePurpose)
    .action(
      withLedger(async (ledger, g, o: { accessor: string; patient: string; commitment: string; purpose: Purpose }) => {
        const basis = await ledger.accessBasis({
          accessor: parseAddress(o.accessor, "accessor"),
          patient: parseAddress(o.patient, "patient"),
          commitment: parseBytes32(o.commitment, "commitment"),
          purpose: o.purpose,
        });
        const allowed = basis !== AccessBasis.None;
        emit(io, g.json, allowed ? `Allowed (${AccessBasis[basis]}).` : "Not allowed.", {
          allowed,
          basis: AccessBasis[basis],
        });
      }),
    );

  // prescriptions
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
              pharmacy: o.pharmacy === undefined ? undefined : parseAddress(o.pharmacy, "pharmacy"),
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
        emit(
          io,
          g.json,
          JSON.stringify(state, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2),
          state,
        );
      }),
    );

  // labs
  const labs = program.command("labs").description("laboratory orders and results");
  labs
    .command("order")
    .description("order a test at a laboratory (doctor)")
    .requiredOption("--patient <address>", "the patient")
    .requiredOption("--file <json>", "a FHIR ServiceRequest")
    .requiredOption("--lab <address>", "the laboratory")
    .action(
      withLedger(async (ledger, g, o: { patient: string; file: string; lab: string }) => {
        const result = await ledger.doctor.orderLabTest({
          patient: parseAddress(o.patient, "patient"),
          serviceRequest: await readResource(o.file),
          laboratory: parseAddress(o.lab, "laboratory"),
        });
        emit(io, g.json, [`Ordered ${result.order}`, `gas ${result.gasUsed}`], result);
      }),
    );
  labs
    .command("result")
    .description("post the result of an order (the addressed laboratory)")
    .requiredOption("--patient <address>", "the patient")
    .requiredOption("--order <commitment>", "the order")
    .requiredOption("--file <json>", "a FHIR DiagnosticReport")
    .option("--sensitive", "only record-level grants open it")
    .action(
      withLedger(async (ledger, g, o: { patient: string; order: string; file: string; sensitive?: boolean }) => {
        const result = await ledger.laboratory.postLabResult({
          patient: parseAddress(o.patient, "patient"),
          order: parseBytes32(o.order, "order"),
          diagnosticReport: await readResource(o.file),
          sensitive: o.sensitive,
        });
        emit(io, g.json, [`Posted result ${result.result}`, `gas ${result.gasUsed}`], result);
      }),
    );

  // emergency
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

  // audit
  program
    .command("audit")
    .description("compare the store with the chain: intact, altered, missing, never anchored")
    .option("--patient <address>", "one patient (default all)")
    .action(
      withLedger(async (ledger, g, o: { patient?: string }) => {
        const report = await ledger.audit({ patient: o.patient === undefined ? undefined : parseAddress(o.patient) });
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

  program.hook("preAction", async () => {
    await applyConfigFile(program);
  });
  addCustodianCommand(program, io);

  return program;
}

/** Runs one command line; errors become one plain sentence on stderr and a non-zero exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  process.exitCode = undefined;
  try {
    await program.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      const text = error.message.replace(/^error: /, "");
      io.stderr.write(`error: ${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? "" : "."}\n`);
      return 2;
    }
    io.stderr.write(`error: ${sentenceOf(error)}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}
