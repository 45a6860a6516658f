/**
 * The gas constants of the two rule sets this folder compares, in one table each.
 *
 * Osaka is the fork Hardhat's EDR runs today; its constants are only used to read an Osaka trace
 * back into counts. Amsterdam (Glamsterdam) is not run by any EVM installable here, so its figures
 * are derived from those counts with the constants below.
 *
 * Which draft: the Glamsterdam devnet-8 parameters, i.e. EIP-8037, EIP-8038, EIP-2780 and EIP-7976
 * as they stood in Last Call (last-call deadline 2026-11-01), with the numeric values as published
 * in revm-primitives 43.0.0 (`eip8037.rs`, `eip8038.rs`, `eip2780.rs`, which say they "match the
 * glamsterdam devnet-8 numbers in execution-specs forks/amsterdam").
 *
 * Choice made: the EIP-8037 text moved between a dynamic cost per state byte and a fixed one, and
 * between 32 and 64 state bytes per new slot (execution-specs at one point: 32 bytes x 1,174). We
 * use the devnet-8 pair, 64 bytes x 1,530 = 97,920 state gas per new slot, because it is the one
 * clients run on the Glamsterdam devnets and, with the regular write (10,000) and cold access
 * (2,100) on top, gives the "about 110,000 gas per new slot" (110,020) the issue quotes.
 */

/** A label naming the rules, written next to every derived figure. */
export const AMSTERDAM_RULES =
  "Glamsterdam devnet-8: EIP-8037 (CPSB 1530, 64 state bytes per new slot), EIP-8038, EIP-2780 (base 12,000), " +
  "EIP-7976 (floor 64/byte); EIPs in Last Call to 2026-11-01";

/** When the rules above were read. */
export const AMSTERDAM_RULES_AS_OF = "2026-11";

export const AMSTERDAM = {
  /** EIP-8037: cost per state byte (CPSB), fixed for Glamsterdam. */
  COST_PER_STATE_BYTE: 1_530,
  /** EIP-8037: state bytes of a storage slot set from zero to non-zero. */
  STORAGE_SET_STATE_BYTES: 64,
  /** EIP-8037: state bytes of a new account (CALL with value to an empty account, CREATE). Not modelled; see derive.ts. */
  NEW_ACCOUNT_STATE_BYTES: 120,
  /** EIP-8038: regular surcharge the first time a slot's value changes in a transaction (Osaka: 2,900; 20,000 from zero). */
  STORAGE_WRITE: 10_000,
  /** EIP-8038: total charge of a cold slot access (unchanged from Osaka's 2,100; the warm 100 is folded in). */
  COLD_STORAGE_ACCESS: 2_100,
  /** EIP-8038: total charge of a cold account access (Osaka: 2,600). */
  COLD_ACCOUNT_ACCESS: 3_000,
  /** EIP-8038: refund for clearing a slot, (STORAGE_WRITE + COLD_STORAGE_ACCESS) x 4,800 / 5,000 (Osaka: 4,800). */
  STORAGE_CLEAR_REFUND: 11_616,
  /** Warm access, unchanged. */
  WARM_ACCESS: 100,
  /** EIP-2780: intrinsic base cost of a transaction (Osaka: 21,000). */
  TX_BASE: 12_000,
  /** EIP-2780: extra intrinsic cost of a transaction carrying value to another account (includes the EIP-7708 log). */
  TX_VALUE: 6_000,
  /** Calldata standard cost per zero / non-zero byte, unchanged (EIP-7976 only raises the floor). */
  CALLDATA_ZERO_BYTE: 4,
  CALLDATA_NONZERO_BYTE: 16,
  /** EIP-7976: calldata floor per byte, zero or not (16 per token x 4 tokens per byte). */
  CALLDATA_FLOOR_PER_BYTE: 64,
  /** Refunds stay capped at a fifth of the gas used before refunds (EIP-3529, kept by EIP-8037). */
  REFUND_QUOTIENT: 5,
} as const;

/** State gas of one new storage slot under Amsterdam: 64 x 1,530 = 97,920. */
export const AMSTERDAM_NEW_SLOT_STATE_GAS = AMSTERDAM.STORAGE_SET_STATE_BYTES * AMSTERDAM.COST_PER_STATE_BYTE;

/** Osaka (today), as EDR meters it: EIP-2929, EIP-2200/3529, EIP-7623. */
export const OSAKA = {
  TX_BASE: 21_000,
  CALLDATA_ZERO_BYTE: 4,
  CALLDATA_NONZERO_BYTE: 16,
  /** EIP-7623 floor: 10 per token, a zero byte 1 token and a non-zero byte 4. */
  CALLDATA_FLOOR_PER_TOKEN: 10,
  STORAGE_SET: 20_000,
  STORAGE_RESET: 2_900,
  COLD_STORAGE_ACCESS: 2_100,
  COLD_ACCOUNT_ACCESS: 2_600,
  WARM_ACCESS: 100,
  STORAGE_CLEAR_REFUND: 4_800,
  REFUND_QUOTIENT: 5,
} as const;
