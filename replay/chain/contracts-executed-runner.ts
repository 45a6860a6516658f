import type { EthereumProvider } from "hardhat/types/providers";
import { network } from "hardhat";
import { getAddress, keccak256, toUtf8Bytes, zeroPadValue, toBeHex } from "ethers";

import { BatchTree } from "../../client/batch-tree.js";
import { ConsentScope, HipaaRole, ProviderForm, ProviderKind, Purpose, RecordType } from "../../client/care-types.js";
import { deployCareLedger } from "../../client/deploy.js";
import type { CostOperation } from "../gas/gas-table.js";
import type { ExecutedRunner, ExecutedRunResult } from "../gas/executed-runner.js";
import type { PatientSlice, SlicePatient } from "../model/patient-slice.js";

const DAY = 24 * 60 * 60;
/** Transactions sent before their receipts are collected; keeps the in-process node busy. */
const PIPELINE = 64;

interface Tx {
  from: string;
  to: string;
  data: string;
  operation: CostOperation;
}

/** Synthetic, deterministic values derived from the slice's pseudonymous patient id. */
function derive(id: string, label: string): string {
  return keccak256(toUtf8Bytes(`careledger-replay:${label}:${id}`));
}

function patientAddress(id: string): string {
  return getAddress("0x" + derive(id, "patient").slice(26));
}

/**
 * Runs a slice as real transactions on a fresh in-process EDR chain, one per run. Each synthetic
 * patient is an impersonated account (so the patient itself sends its consents, as in the paper's
 * design, without signing overhead); providers are registered once. Gas is summed from receipts.
 */
export class ContractsExecutedRunner implements ExecutedRunner {
  /** Transactions and transactions per second over every run so far, for the closing line. */
  lastTransactions = 0;
  lastTransactionsPerSecond = 0;
  #seconds = 0;

  async run(slice: PatientSlice): Promise<ExecutedRunResult> {
    const { ethers, provider } = await network.create();
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
      await (await directory.registerProvider(account, kind, form, HipaaRole.CoveredEntity, none)).wait();
    }
    const now = (await ethers.provider.getBlock("latest"))!.timestamp;
    const validUntil = now + 365 * DAY;
    const addresses = {
      registry: await registry.getAddress(),
      consent: await consent.getAddress(),
      prescriptions: await prescriptions.getAddress(),
      labOrders: await labOrders.getAddress(),
    };

    const gasUsed: Partial<Record<CostOperation, number>> = {};
    let transactions = 0;
    const started = performance.now();
    const pending: Promise<void>[] = [];
    const send = async (tx: Tx): Promise<void> => {
      const hash = (await provider.request({
        method: "eth_sendTransaction",
        params: [{ from: tx.from, to: tx.to, data: tx.data }],
      })) as string;
      const receipt = (await provider.request({ method: "eth_getTransactionReceipt", params: [hash] })) as {
        gasUsed: string;
        status: string;
      } | null;
      if (receipt === null || receipt.status !== "0x1") {
        throw new Error(`A replay transaction (${tx.operation}) failed; the slice cannot be costed.`);
      }
      gasUsed[tx.operation] = (gasUsed[tx.operation] ?? 0) + Number(receipt.gasUsed);
      transactions += 1;
    };
    const enqueue = async (txs: Tx[]): Promise<void> => {
      // Transactions of one patient depend on each other (a dispense needs its prescription), so
      // they run in order; different patients overlap.
      pending.push(
        (async () => {
          for (const tx of txs) await send(tx);
        })(),
      );
      if (pending.length >= PIPELINE) await Promise.all(pending.splice(0));
    };

    if (slice.design === "batched") {
      const members = new Map<string, SlicePatient[]>();
      for (const patient of slice.patients()) {
        const list = members.get(patient.batchKey) ?? [];
        list.push(patient);
        members.set(patient.batchKey, list);
      }
      for (const [, patients] of members) {
        const tree = new BatchTree(
          patients.map((p) => ({
            patient: patientAddress(p.id),
            commitment: derive(p.id, "referral"),
            recordType: RecordType.Referral,
            sensitive: false,
          })),
        );
        await send({
          from: doctor.address,
          to: addresses.registry,
          data: registry.interface.encodeFunctionData("anchorBatch", [tree.root, patients.length]),
          operation: "anchorBatch",
        });
      }
    }

    for (const patient of slice.patients()) {
      const address = patientAddress(patient.id);
      await impersonate(provider, address);
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
      txs.push({
        from: address,
        to: addresses.consent,
        data: consent.interface.encodeFunctionData("grantConsent", [
          address,
          {
            grantee: specialist.address,
            scope: ConsentScope.RecordType,
            scopeValue: zeroPadValue(toBeHex(RecordType.Referral), 32),
            purpose: Purpose.Treatment,
            validFrom: now,
            validUntil,
          },
        ]),
        operation: "grantConsent",
      });
      if (patient.prescription) {
        const rx = derive(patient.id, "prescription");
        txs.push(
          {
            from: doctor.address,
            to: addresses.prescriptions,
            data: prescriptions.interface.encodeFunctionData("issuePrescription", [
              address,
              rx,
              { pharmacy: pharmacy.address, expiresAt: now + 30 * DAY, quantity: 30, refills: 2 },
            ]),
            operation: "workflowPrescription",
          },
          {
            from: address,
            to: addresses.consent,
            data: consent.interface.encodeFunctionData("grantConsent", [
              address,
              {
                grantee: pharmacy.address,
                scope: ConsentScope.Record,
                scopeValue: rx,
                purpose: Purpose.Dispensing,
                validFrom: now,
                validUntil: now + 30 * DAY,
              },
            ]),
            operation: "workflowPrescription",
          },
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
        const order = derive(patient.id, "order");
        const result = derive(patient.id, "result");
        txs.push(
          {
            from: doctor.address,
            to: addresses.labOrders,
            data: labOrders.interface.encodeFunctionData("orderLabTest", [address, order, laboratory.address]),
            operation: "workflowLabResult",
          },
          {
            from: laboratory.address,
            to: addresses.labOrders,
            data: labOrders.interface.encodeFunctionData("postLabResult", [address, order, result, false]),
            operation: "workflowLabResult",
          },
          {
            from: address,
            to: addresses.consent,
            data: consent.interface.encodeFunctionData("grantConsent", [
              address,
              {
                grantee: secondDoctor.address,
                scope: ConsentScope.Record,
                scopeValue: result,
                purpose: Purpose.Treatment,
                validFrom: now,
                validUntil: now + 90 * DAY,
              },
            ]),
            operation: "workflowLabResult",
          },
        );
      }
      await enqueue(txs);
    }
    await Promise.all(pending.splice(0));
    const seconds = (performance.now() - started) / 1000;
    this.lastTransactions += transactions;
    this.#seconds += seconds;
    this.lastTransactionsPerSecond = this.#seconds > 0 ? this.lastTransactions / this.#seconds : 0;
    return { transactions, gasUsed, seconds };
  }
}

async function impersonate(provider: EthereumProvider, address: string): Promise<void> {
  await provider.request({ method: "hardhat_impersonateAccount", params: [address] });
  await provider.request({ method: "hardhat_setBalance", params: [address, "0x8ac7230489e80000"] });
}
