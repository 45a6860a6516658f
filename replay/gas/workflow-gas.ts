import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

import { HipaaRole, ProviderForm, ProviderKind } from "../../client/care-types.js";
import { recordCommitmentOf } from "../../client/crypto/commitment.js";
import type { CareLedgerContracts } from "../../client/deploy.js";
import { HOUR } from "../../client/time-units.js";
import { gasEntry, measure, sumMeasured, type GasEntry } from "./gas-report.js";
import { dispensingConsent, labResultShare, prescriptionTerms } from "./workflow-requests.js";

/**
 * Measures the clinical workflows on a fresh patient each, so every storage slot a workflow writes
 * is new (the realistic, expensive case). The whole-workflow figures are sums of the receipts of
 * the transactions a workflow needs.
 */
export async function measureWorkflowGas(
  ethers: HardhatEthers,
  core: CareLedgerContracts,
): Promise<Record<string, GasEntry>> {
  const [admin] = await ethers.getSigners();
  const fund = async (): Promise<ReturnType<typeof ethers.Wallet.createRandom>> => {
    const wallet = ethers.Wallet.createRandom().connect(ethers.provider);
    await (await admin.sendTransaction({ to: wallet.address, value: ethers.parseEther("1") })).wait();
    return wallet;
  };
  const [doctor, secondDoctor, pharmacy, laboratory, emergencyDepartment] = await Promise.all(
    [0, 1, 2, 3, 4].map(() => fund()),
  );
  const { directory, prescriptions, labOrders, emergency, consent } = core;
  const none = ethers.ZeroAddress;
  const register = async (account: string, kind: ProviderKind, form: ProviderForm): Promise<void> => {
    await (
      await directory
        .connect(admin)
        .registerProvider(account, { kind, form, hipaa: HipaaRole.CoveredEntity, organisation: none })
    ).wait();
  };
  await register(doctor.address, ProviderKind.Doctor, ProviderForm.Practitioner);
  await register(secondDoctor.address, ProviderKind.Doctor, ProviderForm.Practitioner);
  await register(pharmacy.address, ProviderKind.Pharmacy, ProviderForm.Organisation);
  await register(laboratory.address, ProviderKind.Laboratory, ProviderForm.Organisation);
  await register(emergencyDepartment.address, ProviderKind.EmergencyDepartment, ProviderForm.Organisation);

  const now = (await ethers.provider.getBlock("latest"))!.timestamp;
  const commitment = (): string => ethers.hexlify(ethers.randomBytes(32));
  const ops: Record<string, GasEntry> = {};

  // Prescription: issue, the patient's dispensing consent for this prescription, one partial dispense.
  const patient = await fund();
  const rxContent = commitment();
  // Once anchored, the prescription is named by the prescriber's record commitment.
  const rx = recordCommitmentOf(doctor.address, rxContent);
  const terms = prescriptionTerms(pharmacy.address, now);
  const issue = await measure(
    ethers.provider,
    prescriptions.connect(doctor).issuePrescription(patient.address, rxContent, terms),
  );
  const consentGas = await measure(
    ethers.provider,
    consent.connect(patient).grantConsent(patient.address, dispensingConsent(pharmacy.address, rx, now)),
  );
  const dispense = await measure(
    ethers.provider,
    prescriptions.connect(pharmacy).dispensePrescription(patient.address, rx, 10, commitment()),
  );
  ops.issuePrescription = gasEntry(issue, "MedicationRequest record + dispensing terms");
  ops.dispensePrescription = gasEntry(dispense, "all checks + MedicationDispense record");
  ops.workflowPrescription = gasEntry(
    sumMeasured(issue, consentGas, dispense),
    `issue ${issue.gasUsed} + record-level dispensing consent ${consentGas.gasUsed} + dispense ${dispense.gasUsed}`,
  );

  // Lab: order, result, the patient shares the result with a second doctor.
  const labPatient = await fund();
  const order = commitment();
  const resultContent = commitment();
  const result = recordCommitmentOf(laboratory.address, resultContent);
  const orderGas = await measure(
    ethers.provider,
    labOrders.connect(doctor).orderLabTest(labPatient.address, order, laboratory.address),
  );
  const postGas = await measure(
    ethers.provider,
    labOrders
      .connect(laboratory)
      .postLabResult(labPatient.address, recordCommitmentOf(doctor.address, order), resultContent, false),
  );
  const shareGas = await measure(
    ethers.provider,
    consent.connect(labPatient).grantConsent(labPatient.address, labResultShare(secondDoctor.address, result, now)),
  );
  ops.orderLabTest = gasEntry(orderGas, "ServiceRequest record + order addressed to one lab");
  ops.postLabResult = gasEntry(postGas, "DiagnosticReport record linked to its order");
  ops.workflowLabResult = gasEntry(
    sumMeasured(orderGas, postGas, shareGas),
    `order ${orderGas.gasUsed} + result ${postGas.gasUsed} + record-level share ${shareGas.gasUsed}`,
  );

  const unconscious = ethers.Wallet.createRandom().address;
  ops.openEmergencyAccess = gasEntry(
    await measure(
      ethers.provider,
      emergency.connect(emergencyDepartment).openEmergencyAccess(unconscious, 1, 6 * HOUR),
    ),
    "break-glass session, 6 hours, first for this patient",
  );
  return ops;
}
