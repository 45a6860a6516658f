import { network } from "hardhat";
import { getAddress, keccak256, toBeHex, toQuantity, toUtf8Bytes, zeroPadValue } from "ethers";

import { BatchTree, type BatchLeaf } from "../../client/batch-tree.js";
import { ConsentScope, HipaaRole, ProviderForm, ProviderKind, Purpose, RecordType } from "../../client/care-types.js";
import { recordCommitmentOf } from "../../client/crypto/commitment.js";
import { deployCareLedger } from "../../client/deploy.js";
import type { GrantRequestInput } from "../../client/eip712.js";
import { DAY } from "../../client/time-units.js";
import { ReplayError } from "../errors.js";
import type { CostOperation } from "../gas/gas-table.js";
import type { ExecutedRunner, ExecutedRunOptions, ExecutedRunResult, ThroughputPoint } from "../gas/executed-runner.js";
import { dispensingConsent, labResultShare, prescriptionTerms } from "../gas/workflow-requests.js";
import type { PatientSlice } from "../model/patient-slice.js";

/**
 * Transactions mined per block. One block per transaction costs a block's bookkeeping per transaction; a few
 * hundred per block keeps the chain short and memory small, and every transaction still runs on its own (gas is
 * per transaction: EIP-2929 warm and cold accounting restarts with each).
 */
export const TRANSACTIONS_PER_BLOCK = 512;
/**
 * Gas limit given with each transaction, so the node does not estimate (an estimate executes the transaction
 * several times over). Well above any CareLedger operation; the receipt's gasUsed does not depend on it.
 */
const TRANSACTION_GAS_LIMIT = 2_000_000n;
/** The most transactions one patient sends (anchor, consent, three prescription and three lab steps). */
const MAX_TRANSACTIONS_PER_PATIENT = 8;
/** Room for a full block of transactions at their declared limit. */
const BLOCK_GAS_LIMIT = TRANSACTION_GAS_LIMIT * BigInt(TRANSACTIONS_PER_BLOCK + MAX_TRANSACTIONS_PER_PATIENT);
/** Throughput curve points: one every this many transactions. */
const CURVE_STEP = 2_000;

/**
 * The chain an executed run uses. A zero base fee lets patients send at gas price 0, so no account needs a balance:
 * hardhat_setBalance per patient made every later block slower (EDR keeps such state overrides), which made a run's
 * time grow with the square of its length. FIFO mempool order keeps each patient's dependent transactions (a
 * dispense after its prescription and consent) in the order sent inside a block.
 */
const EXECUTED_CHAIN = {
  override: {
    initialBaseFeePerGas: 0,
    blockGasLimit: BLOCK_GAS_LIMIT,
    mining: { auto: true, interval: 0, mempool: { order: "fifo" as const } },
  },
};

interface Tx {
  from: string;
  to: string;
  data: string;
  operation: CostOperation;
}

interface Receipt {
  readonly gasUsed: string;
  readonly status: string;
}

/** Synthetic, deterministic values derived from the slice's pseudonymous patient id. */
function derive(id: string, label: string): string {
  return keccak256(toUtf8Bytes(`careledger-replay:${label}:${id}`));
}

function patientAddress(id: string): string {
  return getAddress("0x" + derive(id, "patient").slice(26));
}

/** A replay transaction was mined but reverted, or was never mined: the slice cannot be costed. */
export class ExecutedTransactionError extends ReplayError {
  override readonly code = "EXECUTED_TRANSACTION_FAILED" as const;
  readonly operation: CostOperation;
  readonly hash: string;
  /** The receipt's status, or null when the transaction was not mined. */
  readonly status: string | null;

  constructor(operation: CostOperation, hash: string, status: string | null) {
    super(
      `A replay transaction (${operation}, ${hash}) ${status === null ? "was not mined" : "reverted"}; the slice cannot be costed.`,
    );
    this.operation = operation;
    this.hash = hash;
    this.status = status;
  }
}

/**
 * Runs a slice as real transactions on a fresh in-process EDR chain, one per run. Each synthetic patient is an
 * impersonated account (so the patient itself sends its consents, as in the paper's design, without signing
 * overhead); providers are registered once. Transactions are sent with a fixed gas limit at gas price 0 and mined
 * TRANSACTIONS_PER_BLOCK at a time; gas is summed from receipts as each block is mined and nothing else is kept, so
 * throughput stays flat and memory bounded however long the slice.
 */
export class ContractsExecutedRunner implements ExecutedRunner {
  /** Transactions and transactions per second over every run so far, for the closing line. */
  lastTransactions = 0;
  lastTransactionsPerSecond = 0;
  #seconds = 0;

  async run(slice: PatientSlice, options: ExecutedRunOptions = {}): Promise<ExecutedRunResult> {
    const connection = await network.create(EXECUTED_CHAIN);
    try {
      return await this.#runOn(connection, slice, options);
    } finally {
      // The chain is thrown away with its blocks: memory does not build up from one run to the next.
      await connection.close();
    }
  }

  async #runOn(
    connection: Awaited<ReturnType<typeof network.create>>,
    slice: PatientSlice,
    options: ExecutedRunOptions,
  ): Promise<ExecutedRunResult> {
    const { ethers, provider } = connection;
    const [deployer, doctor, specialist, pharmacy, laboratory, secondDoctor] = await ethers.getSigners();
    const core = await deployCareLedger(deployer);
    const { directory, registry, consent, prescriptions, labOrders } = core;
    const none = ethers.ZeroAddress;
    const providers: [string, ProviderKind][] = [
      [doctor.address, ProviderKind.Doctor],
      [specialist.address, ProviderKind.Doctor],
      [secondDoctor.address, ProviderKind.Doctor],
      [pharmacy.address, ProviderKind.Pharmacy],
      [laboratory.address, ProviderKind.Laboratory],
    ];
    for (const [account, kind] of providers) {
      const form = kind === ProviderKind.Doctor ? ProviderForm.Practitioner : ProviderForm.Organisation;
      await (
        await directory.registerProvider(account, { kind, form, hipaa: HipaaRole.CoveredEntity, organisation: none })
      ).wait();
    }
    const now = (await ethers.provider.getBlock("latest"))!.timestamp;
    const addresses = {
      registry: await registry.getAddress(),
      consent: await consent.getAddress(),
      prescriptions: await prescriptions.getAddress(),
      labOrders: await labOrders.getAddress(),
    };
    await provider.request({ method: "evm_setAutomine", params: [false] });
    // Every patient grants the same specialist the same referral access.
    const referralConsent: GrantRequestInput = {
      grantee: specialist.address,
      scope: ConsentScope.RecordType,
      scopeValue: zeroPadValue(toBeHex(RecordType.Referral), 32),
      purpose: Purpose.Treatment,
      validFrom: now,
      validUntil: now + 365 * DAY,
    };
    const patientGrant = (patient: string, request: GrantRequestInput, operation: CostOperation): Tx => ({
      from: patient,
      to: addresses.consent,
      data: consent.interface.encodeFunctionData("grantConsent", [patient, request]),
      operation,
    });

    const gasUsed: Partial<Record<CostOperation, number>> = {};
    let transactions = 0;
    let patientsDone = 0;
    const curve: ThroughputPoint[] = [];
    const started = performance.now();
    const elapsed = (): number => (performance.now() - started) / 1000;
    const report = (): void =>
      options.onProgress?.({
        design: slice.design,
        patientsDone,
        patients: slice.patientCount,
        transactions,
        seconds: elapsed(),
      });

    // Sent and not yet mined: at most one block's worth, so memory does not grow with the slice.
    let pending: { hash: string; operation: CostOperation }[] = [];
    const send = async (tx: Tx): Promise<void> => {
      const hash = (await provider.request({
        method: "eth_sendTransaction",
        params: [
          {
            from: tx.from,
            to: tx.to,
            data: tx.data,
            gas: toQuantity(TRANSACTION_GAS_LIMIT),
            gasPrice: "0x0",
          },
        ],
      })) as string;
      pending.push({ hash, operation: tx.operation });
    };
    const mine = async (): Promise<void> => {
      if (pending.length === 0) return;
      const mined = pending;
      pending = [];
      await provider.request({ method: "evm_mine", params: [] });
      for (const { hash, operation } of mined) {
        const receipt = (await provider.request({
          method: "eth_getTransactionReceipt",
          params: [hash],
        })) as Receipt | null;
        if (receipt === null || receipt.status !== "0x1")
          throw new ExecutedTransactionError(operation, hash, receipt?.status ?? null);
        gasUsed[operation] = (gasUsed[operation] ?? 0) + Number(receipt.gasUsed);
      }
      const before = transactions;
      transactions += mined.length;
      if (Math.floor(transactions / CURVE_STEP) > Math.floor(before / CURVE_STEP))
        curve.push({ transactions, seconds: elapsed() });
      report();
    };

    if (slice.design === "batched") {
      // Patients come cohort by cohort in batch order, so each batch's members arrive together: one batch's leaves
      // are held at a time.
      let key: string | undefined;
      let leaves: BatchLeaf[] = [];
      const finished = new Set<string>();
      const anchor = async (): Promise<void> => {
        if (key === undefined || leaves.length === 0) return;
        finished.add(key);
        const tree = new BatchTree(leaves);
        await send({
          from: doctor.address,
          to: addresses.registry,
          data: registry.interface.encodeFunctionData("anchorBatch", [tree.root, leaves.length]),
          operation: "anchorBatch",
        });
        if (pending.length >= TRANSACTIONS_PER_BLOCK) await mine();
      };
      for (const patient of slice.patients()) {
        if (patient.batchKey !== key) {
          await anchor();
          if (finished.has(patient.batchKey))
            throw new Error(`Batch ${patient.batchKey} came back after another batch; slice order is broken.`);
          key = patient.batchKey;
          leaves = [];
        }
        leaves.push({
          patient: patientAddress(patient.id),
          commitment: derive(patient.id, "referral"),
          recordType: RecordType.Referral,
          sensitive: false,
        });
      }
      await anchor();
      leaves = [];
    }

    for (const patient of slice.patients()) {
      const address = patientAddress(patient.id);
      await provider.request({ method: "hardhat_impersonateAccount", params: [address] });
      const txs: Tx[] = [];
      if (slice.design === "per-patient") {
        txs.push({
          from: doctor.address,
          to: addresses.registry,
          data: registry.interface.encodeFunctionData("anchorRecord", [
            address,
            derive(patient.id, "referral"),
            RecordType.Referral,
            false,
          ]),
          operation: "anchorRecord",
        });
      }
      txs.push(patientGrant(address, referralConsent, "grantConsent"));
      if (patient.prescription) {
        // Issued as a content commitment; named from then on by the doctor's record commitment.
        const rxContent = derive(patient.id, "prescription");
        const rx = recordCommitmentOf(doctor.address, rxContent);
        txs.push(
          {
            from: doctor.address,
            to: addresses.prescriptions,
            data: prescriptions.interface.encodeFunctionData("issuePrescription", [
              address,
              rxContent,
              prescriptionTerms(pharmacy.address, now),
            ]),
            operation: "workflowPrescription",
          },
          patientGrant(address, dispensingConsent(pharmacy.address, rx, now), "workflowPrescription"),
          {
            from: pharmacy.address,
            to: addresses.prescriptions,
            data: prescriptions.interface.encodeFunctionData("dispensePrescription", [
              address,
              rx,
              10,
              derive(patient.id, "dispense"),
            ]),
            operation: "workflowPrescription",
          },
        );
      }
      if (patient.labResult) {
        const orderContent = derive(patient.id, "order");
        const resultContent = derive(patient.id, "result");
        const order = recordCommitmentOf(doctor.address, orderContent);
        const result = recordCommitmentOf(laboratory.address, resultContent);
        txs.push(
          {
            from: doctor.address,
            to: addresses.labOrders,
            data: labOrders.interface.encodeFunctionData("orderLabTest", [address, orderContent, laboratory.address]),
            operation: "workflowLabResult",
          },
          {
            from: laboratory.address,
            to: addresses.labOrders,
            data: labOrders.interface.encodeFunctionData("postLabResult", [address, order, resultContent, false]),
            operation: "workflowLabResult",
          },
          patientGrant(address, labResultShare(secondDoctor.address, result, now), "workflowLabResult"),
        );
      }
      for (const tx of txs) await send(tx);
      patientsDone += 1;
      if (pending.length >= TRANSACTIONS_PER_BLOCK) await mine();
    }
    await mine();
    const seconds = elapsed();
    if (curve.length === 0 || curve[curve.length - 1].transactions !== transactions)
      curve.push({ transactions, seconds });
    this.lastTransactions += transactions;
    this.#seconds += seconds;
    this.lastTransactionsPerSecond = this.#seconds > 0 ? this.lastTransactions / this.#seconds : 0;
    return { transactions, gasUsed, seconds, curve };
  }
}
