import { deriveAmsterdamGas, type GasDerivation, type TransactionTrace } from "./derive.js";

/** The JSON-RPC calls the derivation needs; an ethers provider (hardhat-ethers included) has them. */
export interface TraceProvider {
  send(method: string, params: unknown[]): Promise<unknown>;
  getTransaction(hash: string): Promise<{
    readonly from: string;
    readonly to: string | null;
    readonly data: string;
    readonly value: bigint;
    readonly accessList?: readonly unknown[] | null;
    readonly blockNumber: number | null;
  } | null>;
  getTransactionReceipt(hash: string): Promise<{ readonly gasUsed: bigint } | null>;
  getBlock(block: number): Promise<{ readonly miner: string } | null>;
}

/** `debug_traceTransaction` with the stack (the derivation reads call targets and stored values from it). */
export async function traceTransaction(provider: TraceProvider, hash: string): Promise<TransactionTrace> {
  return (await provider.send("debug_traceTransaction", [
    hash,
    { disableStorage: true, disableMemory: true, disableStack: false },
  ])) as TransactionTrace;
}

/** Traces a mined transaction and derives its Amsterdam gas (see deriveAmsterdamGas). */
export async function deriveAmsterdamGasOf(provider: TraceProvider, hash: string): Promise<GasDerivation> {
  const [tx, receipt, trace] = await Promise.all([
    provider.getTransaction(hash),
    provider.getTransactionReceipt(hash),
    traceTransaction(provider, hash),
  ]);
  if (tx === null || receipt === null || tx.blockNumber === null)
    throw new Error(`The transaction ${hash} is not mined, so it has no trace to derive from.`);
  const block = await provider.getBlock(tx.blockNumber);
  return deriveAmsterdamGas({
    trace,
    from: tx.from,
    to: tx.to,
    data: tx.data,
    value: tx.value,
    gasUsed: Number(receipt.gasUsed),
    accessListEntries: tx.accessList?.length ?? 0,
    coinbase: block?.miner,
  });
}
