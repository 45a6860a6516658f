import type { Command } from "commander";

import { type CommandKit } from "../command-kit.js";
import { emit, jsonText } from "../output.js";
import {
  kindName,
  parseAddress,
  parseBytes32,
  parseForm,
  parseHipaa,
  parseKind,
  parseOptionalAddress,
} from "../parse.js";

/** `careledger providers …`: the provider directory (registrar). */
export function addProviderCommands(program: Command, { io, withLedger }: CommandKit): void {
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
            organisation: parseOptionalAddress(o.organisation, "organisation"),
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
        emit(io, g.json, `${account}: ${jsonText(entry)}`, entry);
      }),
    );
}
