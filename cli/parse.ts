import { getAddress, isHexString } from "ethers";

import { isAddressArgument } from "../client/address-argument.js";

import { HipaaRole, ProviderForm, ProviderKind, Purpose, RecordType } from "../client/care-types.js";
import { CliError } from "./cli-error.js";

function kebab(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();
}

/** Parses an enum member written in kebab case ("emergency-department"). */
function enumParser<E extends Record<string, string | number>>(what: string, values: E, skip: string[] = ["None"]) {
  const names = Object.keys(values).filter((k) => Number.isNaN(Number(k)) && !skip.includes(k));
  return (text: string): E[keyof E] => {
    const name = names.find((n) => kebab(n) === text.trim().toLowerCase());
    if (name === undefined)
      throw new CliError(`Unknown ${what} "${text}"; use one of ${names.map(kebab).join(", ")}.`, 2);
    return values[name] as E[keyof E];
  };
}

export const parseKind = enumParser("provider kind", ProviderKind);
export const parseForm = enumParser("provider form", ProviderForm, []);
export const parseHipaa = enumParser("HIPAA role", HipaaRole, []);
export const parsePurpose = enumParser("purpose", Purpose);
export const parseRecordType = enumParser("record type", RecordType);

export function kindName(kind: ProviderKind): string {
  return kebab(ProviderKind[kind]);
}

export function parseAddress(text: string, what = "address"): string {
  if (!isAddressArgument(text)) throw new CliError(`The ${what} "${text}" is not an Ethereum address.`, 2);
  return getAddress(text);
}

/** An address option that may be left out: absent stays absent. */
export function parseOptionalAddress(text: string | undefined, what?: string): string | undefined {
  return text === undefined ? undefined : parseAddress(text, what);
}

export function parseBytes32(text: string, what: string): string {
  if (!isHexString(text, 32)) throw new CliError(`The ${what} must be 32 bytes of hex (0x followed by 64 digits).`, 2);
  return text.toLowerCase();
}

export function parsePositiveInt(what: string, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1 || value > max) {
      throw new CliError(`The ${what} must be a whole number from 1 to ${max}.`, 2);
    }
    return value;
  };
}

export function parseNonNegativeInt(what: string, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value > max) {
      throw new CliError(`The ${what} must be a whole number from 0 to ${max}.`, 2);
    }
    return value;
  };
}
