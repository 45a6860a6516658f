export {
  deriveAmsterdamGas,
  type AmsterdamGas,
  type GasDerivation,
  type OsakaGas,
  type StructLog,
  type TraceCounts,
  type TracedTransaction,
  type TransactionTrace,
} from "./derive.js";
export { AMSTERDAM, AMSTERDAM_NEW_SLOT_STATE_GAS, AMSTERDAM_RULES, AMSTERDAM_RULES_AS_OF, OSAKA } from "./rules.js";
export { deriveAmsterdamGasOf, traceTransaction, type TraceProvider } from "./trace.js";
