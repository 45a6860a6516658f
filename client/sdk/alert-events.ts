import { getAddress } from "ethers";

import type { ContractName } from "../deploy.js";
import type { AlertHandlers, AlertSource } from "./alerts.js";

/** How an event argument becomes an alert field: checksummed, lower-case hex, or a plain number or flag. */
const FIELD_DECODERS = {
  address: (value: unknown): string => getAddress(String(value)),
  bytes32: (value: unknown): string => String(value).toLowerCase(),
  number: (value: unknown): number => Number(value),
  boolean: (value: unknown): boolean => Boolean(value),
};

type FieldDecoder = keyof typeof FIELD_DECODERS;

export type AlertHandlerName = Exclude<keyof AlertHandlers, "onError">;

interface AlertEventSpec {
  readonly contract: ContractName;
  readonly handler: AlertHandlerName;
  /** The alert's fields, each read from the event argument of the same name. */
  readonly fields: Readonly<Record<string, FieldDecoder>>;
}

// A record's alert, new or corrected, starts with these.
const RECORD_FIELDS = { patient: "address", commitment: "bytes32", author: "address", sensitive: "boolean" } as const;

/** Every event an alert reports: where it is emitted, which handler gets it and how its fields decode. */
export const ALERT_EVENTS = {
  RecordAnchored: {
    contract: "registry",
    handler: "onRecord",
    fields: { ...RECORD_FIELDS, recordType: "number" },
  },
  RecordAmended: {
    contract: "registry",
    handler: "onRecord",
    fields: { ...RECORD_FIELDS, previousCommitment: "bytes32", version: "number" },
  },
  RecordErased: {
    contract: "registry",
    handler: "onErasure",
    fields: { patient: "address", commitment: "bytes32", by: "address" },
  },
  ConsentGranted: {
    contract: "consent",
    handler: "onGrant",
    fields: {
      patient: "address",
      grantee: "address",
      grantId: "bytes32",
      scope: "number",
      scopeValue: "bytes32",
      purpose: "number",
      validFrom: "number",
      validUntil: "number",
    },
  },
  ConsentRevoked: {
    contract: "consent",
    handler: "onRevocation",
    fields: { patient: "address", grantee: "address", grantId: "bytes32" },
  },
  EmergencyAccessOpened: {
    contract: "emergency",
    handler: "onEmergencyAccess",
    fields: { patient: "address", provider: "address", reasonCode: "number", expiresAt: "number", count: "number" },
  },
  PrescriptionDispensed: {
    contract: "prescriptions",
    handler: "onDispense",
    fields: { patient: "address", prescription: "bytes32", pharmacy: "address", dispense: "bytes32", amount: "number" },
  },
  LabResultPosted: {
    contract: "labOrders",
    handler: "onLabResult",
    fields: { patient: "address", order: "bytes32", result: "bytes32" },
  },
} as const satisfies Record<string, AlertEventSpec>;

export type AlertEventName = keyof typeof ALERT_EVENTS;

type AlertOf<H extends AlertHandlerName> = Parameters<NonNullable<AlertHandlers[H]>>[0];
type Decoded<F> = {
  -readonly [K in keyof F]: F[K] extends FieldDecoder ? ReturnType<(typeof FIELD_DECODERS)[F[K]]> : never;
};
type Mismatched = {
  [E in AlertEventName]: Decoded<(typeof ALERT_EVENTS)[E]["fields"]> extends Omit<
    AlertOf<(typeof ALERT_EVENTS)[E]["handler"]>,
    keyof AlertSource
  >
    ? never
    : E;
}[AlertEventName];
// The one cast in `alertHandler` rests on this: an event whose fields do not make up the alert its
// handler takes stops the build here, naming the event.
const fieldsMakeUpTheirAlerts: [Mismatched] extends [never] ? true : Mismatched = true;
void fieldsMakeUpTheirAlerts;

/** The alert of an `event` log, from its decoded arguments by name. */
export function decodeAlert(
  event: AlertEventName,
  args: Readonly<Record<string, unknown>>,
  source: AlertSource,
): AlertSource {
  const alert: Record<string, unknown> = { ...source };
  for (const [field, decoder] of Object.entries(ALERT_EVENTS[event].fields)) {
    alert[field] = FIELD_DECODERS[decoder](args[field]);
  }
  return alert as unknown as AlertSource;
}

/** The caller's handler for `event`, if it subscribed to it. */
export function alertHandler(
  handlers: AlertHandlers,
  event: AlertEventName,
): ((alert: AlertSource) => void | Promise<void>) | undefined {
  return handlers[ALERT_EVENTS[event].handler] as ((alert: AlertSource) => void | Promise<void>) | undefined;
}
