import { ZeroAddress, getAddress, type Log } from "ethers";

import type { ConsentScope, Purpose, RecordType } from "../care-types.js";
import { ALERT_EVENTS, alertHandler, decodeAlert, type AlertEventName } from "./alert-events.js";
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

interface Query {
  readonly event: AlertEventName;
  readonly topics: (string | null)[];
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
            address: core.addresses[ALERT_EVENTS[query.event].contract],
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
          const source: AlertSource = {
            blockNumber: log.blockNumber,
            transactionHash: log.transactionHash,
            logIndex: log.index,
          };
          await alertHandler(handlers, query.event)?.(decodeAlert(query.event, args, source));
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
  const add = (event: AlertEventName, topics: Query["topics"], accept?: Query["accept"]): void => {
    if (alertHandler(handlers, event) !== undefined) queries.push({ event, topics, accept });
  };
  const everyone = patient === null && providerTopic === null;
  if (patient !== null || everyone) {
    for (const event of Object.keys(ALERT_EVENTS) as AlertEventName[]) add(event, [patient]);
  }
  if (providerTopic !== null && provider !== undefined) {
    add("RecordAnchored", [null, null, providerTopic]);
    add("ConsentGranted", [null, providerTopic]);
    add("ConsentRevoked", [null, providerTopic]);
    add("EmergencyAccessOpened", [null, providerTopic]);
    add("PrescriptionDispensed", [null, null, providerTopic]);
    // Results are indexed by patient, order and result: keep those of orders this provider placed.
    add("LabResultPosted", [], async (args) => {
      const order = await core.read("recordOf", () =>
        core.views.registry.recordOf(String(args.patient), String(args.order)),
      );
      return order.author !== ZeroAddress && getAddress(order.author) === provider;
    });
  }
  return queries;
}

function eventTopic(query: Query): string {
  const fragment = CARELEDGER_INTERFACES[ALERT_EVENTS[query.event].contract].getEvent(query.event);
  if (fragment === null) throw new Error(`Unknown event ${ALERT_EVENTS[query.event].contract}.${query.event}`);
  return fragment.topicHash;
}

function decode(query: Query, log: Log): Record<string, unknown> {
  const parsed = CARELEDGER_INTERFACES[ALERT_EVENTS[query.event].contract].parseLog({
    topics: [...log.topics],
    data: log.data,
  });
  if (parsed === null) return {};
  const args: Record<string, unknown> = {};
  parsed.fragment.inputs.forEach((input, index) => {
    args[input.name] = parsed.args[index] as unknown;
  });
  return args;
}
