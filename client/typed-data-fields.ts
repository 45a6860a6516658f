import type { TypedDataField } from "ethers";

import { InvalidArgumentError } from "./errors.js";

/**
 * EIP-712 types written once, as the canonical type string a contract hashes into its typehash
 * (`RevokeConsent(address patient,bytes32 grantId,uint256 nonce,uint256 deadline)`), so the SDK's
 * table and the Solidity constant are the same text and a test can compare them directly.
 */

/** The primary type a canonical type string declares: `Name(...)` gives `Name`. */
export type TypeNameOf<S extends string> = S extends `${infer Name}(${string})` ? Name : never;

/** The fields of each primary type of a table; read-only, since every signer shares the one copy. */
export type TypedDataTable<Name extends string> = { readonly [N in Name]: readonly TypedDataField[] };

const TYPE_STRING = /^([A-Za-z_$][A-Za-z0-9_$]*)\(([^()]+)\)$/;
const FIELD_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
// Atomic members only, spelt as Solidity's abi encoding spells them: a struct member would need its
// own definition appended to the string, which none of CareLedger's messages has.
const ATOMIC_TYPE =
  /^(?:address|bool|string|bytes(?:[1-9]|[12][0-9]|3[0-2])?|u?int(?:8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256))$/;

function malformed(encodedType: string, why: string): never {
  throw new InvalidArgumentError(
    "EIP-712 type string",
    `Name(type field,...) with atomic members (${why}): ${encodedType}`,
  );
}

/** The primary type and its fields, in order, of one canonical EIP-712 type string. */
export function parseTypeString(encodedType: string): { readonly name: string; readonly fields: TypedDataField[] } {
  const match = TYPE_STRING.exec(encodedType);
  if (match === null) malformed(encodedType, "not one Name(...)");
  const [, name, members] = match;
  const seen = new Set<string>();
  const fields = members.split(",").map((member) => {
    const parts = member.split(" ");
    if (parts.length !== 2) malformed(encodedType, `"${member}" is not one type and one name`);
    const [type, fieldName] = parts;
    if (!ATOMIC_TYPE.test(type)) malformed(encodedType, `"${type}" is not an atomic type`);
    if (!FIELD_NAME.test(fieldName)) malformed(encodedType, `"${fieldName}" is not a field name`);
    if (seen.has(fieldName)) malformed(encodedType, `"${fieldName}" appears twice`);
    seen.add(fieldName);
    return { name: fieldName, type };
  });
  return { name, fields };
}

/** A table of EIP-712 types, one canonical type string each. */
export function typedDataTable<const S extends readonly string[]>(
  ...encodedTypes: S
): TypedDataTable<TypeNameOf<S[number]>> {
  const table: Record<string, readonly TypedDataField[]> = {};
  for (const encodedType of encodedTypes) {
    const { name, fields } = parseTypeString(encodedType);
    if (name in table) malformed(encodedType, `${name} is declared twice`);
    table[name] = fields;
  }
  return table as TypedDataTable<TypeNameOf<S[number]>>;
}

/** The types of one primary type, as the mutable record ethers' signers and encoders take. */
export function typesOf<N extends string>(table: TypedDataTable<N>, name: N): Record<string, TypedDataField[]> {
  return { [name]: table[name].map((field) => ({ ...field })) };
}
