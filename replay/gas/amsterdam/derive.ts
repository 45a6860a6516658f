import { AMSTERDAM, AMSTERDAM_NEW_SLOT_STATE_GAS, AMSTERDAM_RULES, OSAKA } from "./rules.js";

/** One step of a `debug_traceTransaction` struct-log trace (geth's format, as EDR returns it). */
export interface StructLog {
  readonly pc: number;
  readonly op: string;
  /** Gas left before the step. */
  readonly gas: number;
  readonly gasCost: number;
  readonly depth: number;
  /** The stack before the step, top last. */
  readonly stack?: readonly string[];
  /** The refund counter before the step. */
  readonly refund?: number;
  readonly error?: string;
}

export interface TransactionTrace {
  readonly gas: number;
  readonly failed: boolean;
  readonly returnValue: string;
  readonly structLogs: readonly StructLog[];
}

/** A mined transaction as the derivation needs it: its trace under Osaka, what it sent, what it paid. */
export interface TracedTransaction {
  readonly trace: TransactionTrace;
  readonly from: string;
  /** null for a contract creation. */
  readonly to: string | null;
  /** The calldata, 0x-prefixed hex. */
  readonly data: string;
  readonly value: bigint;
  /** receipt.gasUsed under Osaka. */
  readonly gasUsed: number;
  /** Entries of the transaction's access list, if any. */
  readonly accessListEntries?: number;
  /** The block's coinbase, warm from the start (EIP-3651). */
  readonly coinbase?: string;
}

/** What the trace shows, counted. */
export interface TraceCounts {
  /** SSTORE from zero to non-zero, first write of the slot in the transaction. */
  readonly newSlots: number;
  /** SSTORE from non-zero to another non-zero value, first write of the slot. */
  readonly changedSlots: number;
  /** SSTORE from non-zero to zero, first write of the slot. */
  readonly clearedSlots: number;
  /** First touches of a storage slot (SLOAD or SSTORE). */
  readonly coldSlots: number;
  /** First touches of an account by BALANCE, EXTCODE* or a CALL. */
  readonly coldAccounts: number;
  readonly logs: number;
  readonly calldataZeroBytes: number;
  readonly calldataNonZeroBytes: number;
}

/** The transaction under Osaka, reconstructed from the trace; `gasUsed` equals the receipt's when the reading holds. */
export interface OsakaGas {
  readonly intrinsic: number;
  /** Gas spent by the EVM before refunds. */
  readonly execution: number;
  readonly refund: number;
  readonly calldataFloor: number;
  readonly gasUsed: number;
}

/** The same transaction priced under the Amsterdam rules: derived, not measured. */
export interface AmsterdamGas {
  /** Regular (non-state) gas: the EIP-2780 intrinsic cost, calldata and EVM execution. */
  readonly execution: number;
  /** EIP-8037 state gas: new storage slots x 64 bytes x CPSB. */
  readonly state: number;
  readonly refund: number;
  /** EIP-7976 floor: base + 64 gas per calldata byte. */
  readonly calldataFloor: number;
  /** What the transaction pays: max(execution + state - refund, calldataFloor). */
  readonly total: number;
  readonly derived: true;
  readonly rules: string;
  /** What the trace shows that the derivation does not price; empty when everything is modelled. */
  readonly notModelled: readonly string[];
}

export interface GasDerivation {
  readonly counts: TraceCounts;
  readonly osaka: OsakaGas;
  readonly amsterdam: AmsterdamGas;
}

const CALLS = new Set(["CALL", "CALLCODE", "DELEGATECALL", "STATICCALL"]);
const ACCOUNT_READS = new Set(["BALANCE", "EXTCODESIZE", "EXTCODECOPY", "EXTCODEHASH"]);
const ADDRESS_MASK = (1n << 160n) - 1n;
/** Precompiles warm from the start under Osaka: 0x01-0x11 and P256VERIFY at 0x100 (EIP-7951). */
const PRECOMPILES = [...Array.from({ length: 0x11 }, (_, i) => i + 1), 0x100].map((n) => addressOf(BigInt(n)));

function addressOf(word: bigint): string {
  return "0x" + (word & ADDRESS_MASK).toString(16).padStart(40, "0");
}

/** The stack item `depth` places below the top (0 is the top). */
function stackItem(step: StructLog, depth: number): bigint | undefined {
  const stack = step.stack;
  if (stack === undefined || stack.length <= depth) return undefined;
  return BigInt(stack[stack.length - 1 - depth]);
}

function calldataBytes(data: string): { zero: number; nonZero: number } {
  const hex = data.startsWith("0x") ? data.slice(2) : data;
  let zero = 0;
  let nonZero = 0;
  for (let i = 0; i < hex.length; i += 2) {
    if (hex.slice(i, i + 2) === "00") zero++;
    else nonZero++;
  }
  return { zero, nonZero };
}

/**
 * Derives a transaction's gas under the Amsterdam (Glamsterdam) rules from its Osaka trace.
 *
 * The Osaka execution gas is read from the trace; every difference between the two rule sets that
 * the trace lets us count (new slots, first changes of a slot, cold accesses, calldata, the base
 * cost) is then repriced with the constants in rules.ts. What the trace shows and the derivation
 * does not price is named in `amsterdam.notModelled`, never dropped silently.
 */
export function deriveAmsterdamGas(tx: TracedTransaction): GasDerivation {
  const notModelled: string[] = [];
  const steps = tx.trace.structLogs;
  const bytes = calldataBytes(tx.data);
  const warm = new Set<string>([tx.from.toLowerCase(), ...PRECOMPILES]);
  if (tx.to !== null) warm.add(tx.to.toLowerCase());
  if (tx.coinbase !== undefined) warm.add(tx.coinbase.toLowerCase());

  let newSlots = 0;
  let changedSlots = 0;
  let clearedSlots = 0;
  let coldSlots = 0;
  let coldAccounts = 0;
  let logs = 0;
  let codeReads = 0;
  let creates = 0;
  let valueCalls = 0;
  let revertedFrames = 0;
  let failedSteps = 0;
  const unknownSstoreCosts = new Set<number>();

  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (step.error !== undefined) failedSteps++;
    if (step.op === "REVERT" && step.depth > 1) revertedFrames++;
    if (step.op.startsWith("LOG")) logs++;
    else if (step.op === "SLOAD") {
      if (step.gasCost === OSAKA.COLD_STORAGE_ACCESS) coldSlots++;
    } else if (step.op === "SSTORE") {
      // Osaka SSTORE costs are distinct sums, so the cost alone says what the write was.
      const cold = [22_100, 5_000, 2_200].includes(step.gasCost);
      const base = cold ? step.gasCost - OSAKA.COLD_STORAGE_ACCESS : step.gasCost;
      if (cold) coldSlots++;
      if (base === OSAKA.STORAGE_SET) newSlots++;
      else if (base === OSAKA.STORAGE_RESET) {
        if (stackItem(step, 1) === 0n) clearedSlots++;
        else changedSlots++;
      } else if (base !== OSAKA.WARM_ACCESS) unknownSstoreCosts.add(step.gasCost);
    } else if (CALLS.has(step.op) || ACCOUNT_READS.has(step.op)) {
      const target = stackItem(step, CALLS.has(step.op) ? 1 : 0);
      if (target !== undefined) {
        const address = addressOf(target);
        if (!warm.has(address)) {
          warm.add(address);
          coldAccounts++;
        }
      } else
        notModelled.push(`${step.op} at pc ${step.pc} without a stack in the trace: its account access is not counted`);
      if (step.op === "EXTCODESIZE" || step.op === "EXTCODECOPY") codeReads++;
      if ((step.op === "CALL" || step.op === "CALLCODE") && (stackItem(step, 2) ?? 0n) !== 0n) valueCalls++;
    } else if (step.op === "CREATE" || step.op === "CREATE2" || step.op === "SELFDESTRUCT") creates++;
  }

  // Osaka, reconstructed: intrinsic + execution - capped refund, at least the EIP-7623 floor.
  const osakaIntrinsic =
    OSAKA.TX_BASE + bytes.zero * OSAKA.CALLDATA_ZERO_BYTE + bytes.nonZero * OSAKA.CALLDATA_NONZERO_BYTE;
  const first = steps[0];
  const last = steps[steps.length - 1];
  const osakaExecution = first === undefined ? 0 : first.gas - (last.gas - last.gasCost);
  const osakaRefundCounter = last?.refund ?? 0;
  const osakaBeforeRefund = osakaIntrinsic + osakaExecution;
  const osakaRefund = Math.min(osakaRefundCounter, Math.floor(osakaBeforeRefund / OSAKA.REFUND_QUOTIENT));
  const osakaFloor = OSAKA.TX_BASE + (bytes.zero + 4 * bytes.nonZero) * OSAKA.CALLDATA_FLOOR_PER_TOKEN;
  const osakaGasUsed = Math.max(osakaBeforeRefund - osakaRefund, osakaFloor);

  if (osakaGasUsed !== tx.gasUsed)
    notModelled.push(
      `the trace reads as ${osakaGasUsed} gas under Osaka but the receipt says ${tx.gasUsed}: the reading is off by ${tx.gasUsed - osakaGasUsed}`,
    );
  if (osakaRefundCounter !== clearedSlots * OSAKA.STORAGE_CLEAR_REFUND)
    notModelled.push(
      `refunds other than plain slot clears (Osaka refund counter ${osakaRefundCounter}, clears explain ${clearedSlots * OSAKA.STORAGE_CLEAR_REFUND})`,
    );
  if (unknownSstoreCosts.size > 0)
    notModelled.push(`SSTORE costs that match no Osaka case: ${[...unknownSstoreCosts].join(", ")}`);
  if (tx.trace.failed) notModelled.push("the transaction failed: a failed transaction's state gas is not modelled");
  if (revertedFrames + failedSteps > 0)
    notModelled.push(
      `${revertedFrames + failedSteps} reverted or failed call frame(s): their writes and cold accesses are priced as if they stood`,
    );
  if (codeReads > 0)
    notModelled.push(`${codeReads} EXTCODESIZE/EXTCODECOPY: EIP-8038's charge for the second (code) read is not added`);
  if (creates > 0)
    notModelled.push(`${creates} CREATE/CREATE2/SELFDESTRUCT: account creation and code deposit not repriced`);
  if (valueCalls > 0)
    notModelled.push(`${valueCalls} value-bearing call(s): EIP-8038 account writes and new accounts not repriced`);
  if (tx.to === null)
    notModelled.push("a contract creation transaction: its account and code state gas are not modelled");
  if ((tx.accessListEntries ?? 0) > 0) notModelled.push("an access list: its Osaka price is kept");

  const counts: TraceCounts = {
    newSlots,
    changedSlots,
    clearedSlots,
    coldSlots,
    coldAccounts,
    logs,
    calldataZeroBytes: bytes.zero,
    calldataNonZeroBytes: bytes.nonZero,
  };

  // Amsterdam: the same execution with the repriced items swapped.
  const valueCost =
    tx.value > 0n && tx.to !== null && tx.to.toLowerCase() !== tx.from.toLowerCase() ? AMSTERDAM.TX_VALUE : 0;
  const intrinsic =
    AMSTERDAM.TX_BASE +
    bytes.zero * AMSTERDAM.CALLDATA_ZERO_BYTE +
    bytes.nonZero * AMSTERDAM.CALLDATA_NONZERO_BYTE +
    valueCost;
  const evm =
    osakaExecution +
    newSlots * (AMSTERDAM.STORAGE_WRITE - OSAKA.STORAGE_SET) +
    (changedSlots + clearedSlots) * (AMSTERDAM.STORAGE_WRITE - OSAKA.STORAGE_RESET) +
    coldSlots * (AMSTERDAM.COLD_STORAGE_ACCESS - OSAKA.COLD_STORAGE_ACCESS) +
    coldAccounts * (AMSTERDAM.COLD_ACCOUNT_ACCESS - OSAKA.COLD_ACCOUNT_ACCESS);
  const execution = intrinsic + evm;
  const state = newSlots * AMSTERDAM_NEW_SLOT_STATE_GAS;
  const refund = Math.min(
    clearedSlots * AMSTERDAM.STORAGE_CLEAR_REFUND,
    Math.floor((execution + state) / AMSTERDAM.REFUND_QUOTIENT),
  );
  const calldataFloor = AMSTERDAM.TX_BASE + (bytes.zero + bytes.nonZero) * AMSTERDAM.CALLDATA_FLOOR_PER_BYTE;
  return {
    counts,
    osaka: {
      intrinsic: osakaIntrinsic,
      execution: osakaExecution,
      refund: osakaRefund,
      calldataFloor: osakaFloor,
      gasUsed: osakaGasUsed,
    },
    amsterdam: {
      execution,
      state,
      refund,
      calldataFloor,
      total: Math.max(execution + state - refund, calldataFloor),
      derived: true,
      rules: AMSTERDAM_RULES,
      notModelled,
    },
  };
}
