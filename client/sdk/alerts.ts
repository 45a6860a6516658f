import { ZeroAddress, getAddress, type Log } from "ethers";

import type { ConsentScope, Purpose, RecordType } from "../care-types.js";
import type { ContractName } from "../deploy.js";
import { CARELEDGER_INTERFACES } from "./contract-abis.js";
import type { LedgerCore } from "./ledger-core.js";
import { zeroPadTopic } from "./records/anchored-write.js";

/** Where an alert comes from on-chain. */
export interface AlertSource {
  readonly blockNumber: number;
  readonly transactionHash: string;
  readonly logIndex: number;
}

/** A record was anchored (or a new version of one) for the patient. */
export interface RecordAlert extends AlertSource {
  readonly patient: string;
  readonly commitment: string;
  readonly author: string;
  readonly sensitive: boolean;
  /** Set for a new record; absent for a correction. */
  readonly recordType?: RecordType;
  /** Set for a correction: the version it corrects. */
  readonly previousCommitment?: string;
  readonly version?: number;
}

export interface GrantAlert extends AlertSource {
  readonly patient: string;
  readonly grantee: string;
  readonly grantId: string;
  readonly scope: ConsentScope;
  readonly scopeValue: string;
  readonly purpose: Purpose;
  readonly validFrom: number;
  readonly validUntil: number;
}

export interface RevocationAlert extends AlertSource {
  readonly patient: string;
  readonly grantee: string;
  readonly grantId: string;
}

export interface EmergencyAccessAlert extends AlertSource {
  readonly patient: string;
  readonly provider: string;
  readonly reasonCode: number;
  readonly expiresAt: number;
  readonly count: number;
}

export interface DispenseAlert extends AlertSource {
  readonly patient: string;
  readonly prescription: string;
  readonly pharmacy: string;
  readonly dispense: string;
  readonly amount: number;
}

export interface LabResultAlert extends AlertSource {
  readonly patient: string;
  readonly order: string;
  readonly result: string;
}

export interface ErasureAlert extends AlertSource {
  readonly patient: string;
  readonly commitment: string;
  readonly by: string;
}

/** Typed callbacks; subscribe only to what you handle. A callback may be async. */
export interface AlertHandlers {
  readonly onRecord?: (alert: RecordAlert) => void | Promise<void>;
  readonly onGrant?: (alert: GrantAlert) => void | Promise<void>;
  readonly onRevocation?: (alert: RevocationAlert) => void | Promise<void>;
  readonly onEmergencyAccess?: (alert: EmergencyAccessAlert) => void | Promise<void>;
  readonly onDispense?: (alert: DispenseAlert) => void | Promise<void>;
  readonly onLabResult?: (alert: LabResultAlert) => void | Promise<void>;
  readonly onErasure?: (alert: ErasureAlert) => void | Promise<void>;
  /** RPC failures (the poll retries on the next tick) and errors thrown by callbacks. */
  readonly onError?: (error: unknown) => void;
}

export interface SubscribeOptions {
  /** Alerts about this patient's records, consents and sessions. */
  readonly patient?: string;
  /**
   * Alerts that concern this provider: records it authored, grants and revocations naming it, its
   * emergency sessions, its dispenses, results of the lab orders it placed.
   */
  readonly provider?: string;
  /** How often to poll for new blocks. Default 1000 ms. */
  readonly pollingIntervalMs?: number;
  /** First block to report. Default: the block after the current one. */
  readonly fromBlock?: number;
}

/** Stops the subscription; resolves once no callback is running. */
export type Unsubscribe = () => Promise<void>;

type HandlerName = Exclude<keyof AlertHandlers, "onError">;

interface Query {
  readonly contract: ContractName;
  readonly event: string;
  readonly topics: (string | null)[];
  readonly handler: HandlerName;
  /** Extra check after decoding (e.g. "did this provider place the order?"). */
  readonly accept?: (args: Record<string, unknown>) => Promise<boolean>;
}

/**
 * Polls the chain's logs for what concerns a patient or a provider and calls typed handlers in
 * block order. Works over any provider (JSON-RPC, Hardhat's in-process network). Only the events
 * with a handler are queried, each filtered by its indexed account topic.
 */
export async function subscribeAlerts(
  core: LedgerCore,
  options: SubscribeOptions,
  handlers: AlertHandlers,
): Promise<Unsubscribe> {
  const queries = buildQueries(core, options, handlers);
  const interval = options.pollingIntervalMs ?? 1_000;
  let next = options.fromBlock ?? (await core.read("getBlockNumber", () => core.provider.getBlockNumber())) + 1;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async (): Promise<void> => {
    try {
      const head = await core.provider.getBlockNumber();
      if (head < next) return;
      const batches = await Promise.all(
        queries.map(async (query) => {
          const logs = await core.provider.getLogs({
            address: core.addresses[query.contract],
            fromBlock: next,
            toBlock: head,
            topics: [eventTopic(query), ...query.topics],
          });
          return logs.map((log) => ({ query, log }));
        }),
      );
      const found = batches.flat().sort((a, b) => a.log.blockNumber - b.log.blockNumber || a.log.index - b.log.index);
      // Queries may overlap (a patient's own grant seen as patient and as grantee): report a log once.
      const seen = new Set<string>();
      for (const { query, log } of found) {
        const id = `${log.transactionHash}:${log.index}`;
        if (seen.has(id) || stopped) continue;
        seen.add(id);
        const args = decode(query, log);
        if (query.accept !== undefined && !(await query.accept(args))) continue;
        try {
          await dispatch(handlers, query.handler, args, log);
        } catch (error) {
          handlers.onError?.(error);
        }
      }
      next = head + 1;
    } catch (error) {
      handlers.onError?.(error);
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, interval);
  };
  schedule();

  return async () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    await running;
  };
}

function buildQueries(core: LedgerCore, options: SubscribeOptions, handlers: AlertHandlers): Query[] {
  const patient = options.patient === undefined ? null : zeroPadTopic(getAddress(options.patient));
  const provider = options.provider === undefined ? undefined : getAddress(options.provider);
  const providerTopic = provider === undefined ? null : zeroPadTopic(provider);
  const queries: Query[] = [];
  const add = (handler: HandlerName, query: Omit<Query, "handler">): void => {
    if (handlers[handler] !== undefined) queries.push({ ...query, handler });
  };
  const everyone = patient === null && providerTopic === null;
  if (patient !== null || everyone) {
    add("onRecord", { contract: "registry", event: "RecordAnchored", topics: [patient] });
    add("onRecord", { contract: "registry", event: "RecordAmended", topics: [patient] });
    add("onErasure", { contract: "registry", event: "RecordErased", topics: [patient] });
    add("onGrant", { contract: "consent", event: "ConsentGranted", topics: [patient] });
    add("onRevocation", { contract: "consent", event: "ConsentRevoked", topics: [patient] });
    add("onEmergencyAccess", { contract: "emergency", event: "EmergencyAccessOpened", topics: [patient] });
    add("onDispense", { contract: "prescriptions", event: "PrescriptionDispensed", topics: [patient] });
    add("onLabResult", { contract: "labOrders", event: "LabResultPosted", topics: [patient] });
  }
  if (providerTopic !== null && provider !== undefined) {
    add("onRecord", { contract: "registry", event: "RecordAnchored", topics: [null, null, providerTopic] });
    add("onGrant", { contract: "consent", event: "ConsentGranted", topics: [null, providerTopic] });
    add("onRevocation", { contract: "consent", event: "ConsentRevoked", topics: [null, providerTopic] });
    add("onEmergencyAccess", { contract: "emergency", event: "EmergencyAccessOpened", topics: [null, providerTopic] });
    add("onDispense", {
      contract: "prescriptions",
      event: "PrescriptionDispensed",
      topics: [null, null, providerTopic],
    });
    add("onLabResult", {
      contract: "labOrders",
      event: "LabResultPosted",
      topics: [],
      // Results are indexed by patient, order and result: keep those of orders this provider placed.
      accept: async (args) => {
        const order = await core.read("recordOf", () =>
          core.views.registry.recordOf(String(args.patient), String(args.order)),
        );
        return order.author !== ZeroAddress && getAddress(order.author) === provider;
      },
    });
  }
  return queries;
}

function eventTopic(query: Query): string {
  const fragment = CARELEDGER_INTERFACES[query.contract].getEvent(query.event);
  if (fragment === null) throw new Error(`Unknown event ${query.contract}.${query.event}`);
  return fragment.topicHash;
}

function decode(query: Query, log: Log): Record<string, unknown> {
  const parsed = CARELEDGER_INTERFACES[query.contract].parseLog({ topics: [...log.topics], data: log.data });
  if (parsed === null) return {};
  const args: Record<string, unknown> = { _event: parsed.name };
  parsed.fragment.inputs.forEach((input, index) => {
    args[input.name] = parsed.args[index] as unknown;
  });
  return args;
}

async function dispatch(
  handlers: AlertHandlers,
  handler: HandlerName,
  args: Record<string, unknown>,
  log: Log,
): Promise<void> {
  const source: AlertSource = {
    blockNumber: log.blockNumber,
    transactionHash: log.transactionHash,
    logIndex: log.index,
  };
  const address = (name: string): string => getAddress(String(args[name]));
  const text = (name: string): string => String(args[name]).toLowerCase();
  const number = (name: string): number => Number(args[name]);
  switch (handler) {
    case "onRecord":
      await handlers.onRecord?.({
        ...source,
        patient: address("patient"),
        commitment: text("commitment"),
        author: address("author"),
        sensitive: Boolean(args.sensitive),
        ...(args._event === "RecordAmended"
          ? { previousCommitment: text("previousCommitment"), version: number("version") }
          : { recordType: number("recordType") as RecordType }),
      });
      return;
    case "onGrant":
      await handlers.onGrant?.({
        ...source,
        patient: address("patient"),
        grantee: address("grantee"),
        grantId: text("grantId"),
        scope: number("scope") as ConsentScope,
        scopeValue: text("scopeValue"),
        purpose: number("purpose") as Purpose,
        validFrom: number("validFrom"),
        validUntil: number("validUntil"),
      });
      return;
    case "onRevocation":
      await handlers.onRevocation?.({
        ...source,
        patient: address("patient"),
        grantee: address("grantee"),
        grantId: text("grantId"),
      });
      return;
    case "onEmergencyAccess":
      await handlers.onEmergencyAccess?.({
        ...source,
        patient: address("patient"),
        provider: address("provider"),
        reasonCode: number("reasonCode"),
        expiresAt: number("expiresAt"),
        count: number("count"),
      });
      return;
    case "onDispense":
      await handlers.onDispense?.({
        ...source,
        patient: address("patient"),
        prescription: text("prescription"),
        pharmacy: address("pharmacy"),
        dispense: text("dispense"),
        amount: number("amount"),
      });
      return;
    case "onLabResult":
      await handlers.onLabResult?.({
        ...source,
        patient: address("patient"),
        order: text("order"),
        result: text("result"),
      });
      return;
    case "onErasure":
      await handlers.onErasure?.({
        ...source,
        patient: address("patient"),
        commitment: text("commitment"),
        by: address("by"),
      });
      return;
  }
}
