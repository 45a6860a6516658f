import { getAddress } from "ethers";

import { InvalidArgumentError } from "./errors.js";

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/**
 * An account address given by a caller: 0x and 40 hex digits; mixed case must carry a valid
 * EIP-55 checksum. Returns the checksummed form. The one address check of the SDK, the key-release
 * code and the CLI, so an address one of them accepts is never refused by another (and no ENS name
 * slips through to a resolver). The error names the argument and never echoes the value.
 */
export function addressArgument(value: unknown, argument: string): string {
  if (typeof value !== "string" || !ADDRESS_RE.test(value)) {
    throw new InvalidArgumentError(argument, "an address: 0x followed by 40 hex digits");
  }
  try {
    return getAddress(value);
  } catch {
    throw new InvalidArgumentError(argument, "an address with a valid EIP-55 checksum");
  }
}

/** Whether `value` passes `addressArgument`. */
export function isAddressArgument(value: unknown): value is string {
  try {
    addressArgument(value, "address");
    return true;
  } catch {
    return false;
  }
}
