import { InvalidArgumentError } from "../errors.js";

/** A 0x-prefixed hex string, as ethers and Solidity tooling expect for bytes values. */
export type Hex = `0x${string}`;

const HEX_RE = /^0x(?:[0-9a-fA-F]{2})*$/;

export function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

/** Parses 0x-hex into bytes; `argument` names the parameter in the error (never the value). */
export function fromHex(text: string, argument: string): Uint8Array {
  if (!HEX_RE.test(text)) {
    throw new InvalidArgumentError(argument, "0x-prefixed hex with an even number of digits");
  }
  return Uint8Array.from(Buffer.from(text.slice(2), "hex"));
}

/** Accepts bytes or 0x-hex of an exact length and returns a private copy. */
export function bytesOfLength(value: Uint8Array | string, length: number, argument: string): Uint8Array {
  const bytes = typeof value === "string" ? fromHex(value, argument) : requireBytes(value, argument).slice();
  if (bytes.length !== length) {
    throw new InvalidArgumentError(argument, `${length} bytes`);
  }
  return bytes;
}

export function requireBytes(value: unknown, argument: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new InvalidArgumentError(argument, "a Uint8Array");
  }
  return value;
}

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (character) => character.charCodeAt(0));
}

export function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);
}
