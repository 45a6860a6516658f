import { ZeroAddress, type ContractTransaction } from "ethers";

import type { LabOrders } from "../../../typechain-types/index.js";
import { ProviderKind, Purpose, RecordType } from "../../care-types.js";
import { InvalidArgumentError } from "../../errors.js";
import {
  addressArgument,
  bytes32Argument,
  optionalAddressArgument,
  optionalBoolean,
  optionalUint,
  uintArgument,
  unlockArgument,
  visitArgument,
} from "../arguments.js";
import { anchoredWrite } from "../records/anchored-write.js";
import type { ReadRecordResult } from "../records/record-service.js";
import type {
  CheckInResult,
  DispensePrescriptionResult,
  EmergencyAccessResult,
  IssuePrescriptionResult,
  OrderLabTestResult,
  PostLabResultResult,
  TxResult,
  UnlockResult,
} from "../results.js";
import type { SendOptions } from "../transport/transaction-sender.js";
import type { UnlockCode } from "../unlock-code.js";
import { ProviderRole } from "./provider-role.js";
import { requireResourceType, type WriteOptions } from "./role-base.js";
import { isAccessRefusal } from "../errors.js";
import { DAY, HOUR } from "../../time-units.js";

export interface IssuePrescriptionParams extends WriteOptions {
  readonly patient: string;
  /** A FHIR R4 MedicationRequest. */
  readonly medicationRequest: unknown;
  readonly terms: {
    /** The one pharmacy allowed to dispense; default any registered pharmacy. */
    readonly pharmacy?: string;
    /** Unix seconds; default 30 days from the chain's clock. */
    readonly expiresAt?: number;
    /** Units per fill. */
    readonly quantity: number;
    /** Fills after the first; default 0. */
    readonly refills?: number;
  };
}

/** A doctor: records, prescriptions, lab orders, and presenting a patient's unlock code. */
export class DoctorRole extends ProviderRole {
  /** Seals the MedicationRequest and issues it (`Prescriptions.issuePrescription`). */
  async issuePrescription(params: IssuePrescriptionParams): Promise<IssuePrescriptionResult> {
    const patient = addressArgument(params.patient, "patient");
    requireResourceType(params.medicationRequest, "medicationRequest", "MedicationRequest");
    const given = params.terms as IssuePrescriptionParams["terms"] | undefined;
    if (typeof given !== "object" || given === null) throw new InvalidArgumentError("terms", "prescription terms");
    const terms = {
      pharmacy: optionalAddressArgument(given.pharmacy, "terms.pharmacy") ?? ZeroAddress,
      expiresAt: await this.core.timeArgument(given.expiresAt, "terms.expiresAt", 40, 30 * DAY),
      quantity: uintArgument(given.quantity, "terms.quantity", 16),
      refills: given.refills === undefined ? 0 : uintArgument(given.refills, "terms.refills", 8),
    };
    return anchoredWrite(this.records, {
      operation: "issuePrescription",
      patient: patient,
      resource: params.medicationRequest,
      recordType: RecordType.Prescription,
      sensitive: false,
      workflow: { kind: "prescription" },
      idempotencyKey: params.idempotencyKey,
      keyParts: [terms.pharmacy, terms.expiresAt, terms.quantity, terms.refills],
      preflight: this.providerPreflight(ProviderKind.Doctor),
      call: (commitment) => ({
        contract: "prescriptions",
        populated: this.core.views.prescriptions.issuePrescription.populateTransaction(patient, commitment, terms),
      }),
      decode: (mined, commitment) => {
        const event = this.core.event(mined.receipt, "prescriptions", "PrescriptionIssued");
        return {
          prescription: commitment,
          terms: {
            pharmacy: event.args.pharmacy,
            expiresAt: Number(event.args.expiresAt),
            quantity: Number(event.args.quantity),
            refills: Number(event.args.refills),
          },
        };
      },
      send: params,
    });
  }

  /** `Prescriptions.cancelPrescription`. */
  async cancelPrescription(params: { patient: string; prescription: string } & SendOptions): Promise<TxResult> {
    const patient = addressArgument(params.patient, "patient");
    const prescription = bytes32Argument(params.prescription, "prescription");
    return this.core.transact(
      "prescriptions",
      (c) => c.cancelPrescription.populateTransaction(patient, prescription),
      params,
    );
  }

  /** Seals the ServiceRequest and orders the test at one laboratory (`LabOrders.orderLabTest`). */
  async orderLabTest(
    params: { patient: string; serviceRequest: unknown; laboratory: string } & WriteOptions,
  ): Promise<OrderLabTestResult> {
    const patient = addressArgument(params.patient, "patient");
    requireResourceType(params.serviceRequest, "serviceRequest", "ServiceRequest");
    const laboratory = addressArgument(params.laboratory, "laboratory");
    return anchoredWrite(this.records, {
      operation: "orderLabTest",
      patient: patient,
      resource: params.serviceRequest,
      recordType: RecordType.LabOrder,
      sensitive: false,
      workflow: { kind: "lab-order" },
      idempotencyKey: params.idempotencyKey,
      keyParts: [laboratory],
      preflight: this.providerPreflight(ProviderKind.Doctor),
      call: (commitment) => ({
        contract: "labOrders",
        populated: this.core.views.labOrders.orderLabTest.populateTransaction(patient, commitment, laboratory),
      }),
      decode: (mined, commitment) => {
        const event = this.core.event(mined.receipt, "labOrders", "LabTestOrdered");
        return { order: commitment, laboratory: event.args.laboratory };
      },
      send: params,
    });
  }

  /** `LabOrders.cancelLabOrder`. */
  async cancelLabOrder(params: { patient: string; order: string } & SendOptions): Promise<TxResult> {
    const patient = addressArgument(params.patient, "patient");
    const order = bytes32Argument(params.order, "order");
    return this.core.transact("labOrders", (c) => c.cancelLabOrder.populateTransaction(patient, order), params);
  }

  /** Presents the unlock a patient handed over (`CareRelationships.unlockWithCode`). */
  async unlockWithCode(params: { unlock: UnlockCode } & SendOptions): Promise<UnlockResult> {
    const unlock = unlockArgument(params.unlock);
    if (unlock.doctor !== this.core.address) {
      throw new InvalidArgumentError("unlock", "an unlock code issued to this doctor");
    }
    const { tx, args } = await this.core.transactForEvent(
      "relationships",
      (c) => c.unlockWithCode.populateTransaction(unlock.patient, unlock.codeId, unlock.expiresAt, unlock.signature),
      "Unlocked",
      params,
    );
    return { ...tx, patient: args.patient, doctor: args.doctor, codeId: args.codeId, until: Number(args.until) };
  }
}

export interface DispenseParams extends WriteOptions {
  readonly patient: string;
  /** The prescription's commitment. */
  readonly prescription: string;
  /** Units dispensed now. */
  readonly amount: number;
  /** A FHIR R4 MedicationDispense. */
  readonly medicationDispense: unknown;
}

/** A pharmacy: reads prescriptions it may dispense and dispenses them. */
export class PharmacyRole extends ProviderRole {
  protected override readonly defaultPurpose: Purpose = Purpose.Dispensing;

  /**
   * Seals the MedicationDispense and dispenses (`Prescriptions.dispensePrescription`): the contract
   * checks the prescriber's authorisation, the patient's dispensing consent, quantity and expiry.
   */
  async dispensePrescription(params: DispenseParams): Promise<DispensePrescriptionResult> {
    const patient = addressArgument(params.patient, "patient");
    const prescription = bytes32Argument(params.prescription, "prescription");
    const amount = uintArgument(params.amount, "amount", 24);
    requireResourceType(params.medicationDispense, "medicationDispense", "MedicationDispense");
    return anchoredWrite(this.records, {
      operation: "dispensePrescription",
      patient: patient,
      resource: params.medicationDispense,
      recordType: RecordType.Dispense,
      sensitive: false,
      workflow: { kind: "dispense", related: prescription.toLowerCase() },
      idempotencyKey: params.idempotencyKey,
      keyParts: [prescription.toLowerCase(), amount],
      preflight: this.providerPreflight(ProviderKind.Pharmacy),
      call: (commitment) => ({
        contract: "prescriptions",
        populated: this.core.views.prescriptions.dispensePrescription.populateTransaction(
          patient,
          prescription,
          amount,
          commitment,
        ),
      }),
      decode: async (mined) => {
        const event = this.core.event(mined.receipt, "prescriptions", "PrescriptionDispensed");
        // The event carries this fill; the running total is the contract's state after its block.
        const state = await this.core.read("prescriptionOf", () =>
          this.core.views.prescriptions.prescriptionOf(patient, prescription, {
            blockTag: mined.blockNumber,
          }),
        );
        return {
          prescription: event.args.prescription,
          pharmacy: event.args.pharmacy,
          amount: Number(event.args.amount),
          totalDispensed: Number(state.dispensed),
        };
      },
      send: params,
    });
  }

  /** The terms and progress of a prescription (`Prescriptions.prescriptionOf`, `remainingOf`). */
  async prescriptionOf(params: { patient: string; prescription: string }): Promise<{
    pharmacy: string;
    expiresAt: number;
    quantity: number;
    refills: number;
    dispensed: number;
    cancelled: boolean;
    remaining: number;
  }> {
    const patient = addressArgument(params.patient, "patient");
    const prescription = bytes32Argument(params.prescription, "prescription");
    const { prescriptions } = this.core.views;
    const [rx, remaining] = await Promise.all([
      this.core.read("prescriptionOf", () => prescriptions.prescriptionOf(patient, prescription)),
      this.core.read("remainingOf", () => prescriptions.remainingOf(patient, prescription)),
    ]);
    return {
      pharmacy: rx.pharmacy,
      expiresAt: Number(rx.expiresAt),
      quantity: Number(rx.quantity),
      refills: Number(rx.refills),
      dispensed: Number(rx.dispensed),
      cancelled: rx.cancelled,
      remaining: Number(remaining),
    };
  }
}

/** A laboratory: posts and corrects results of the orders addressed to it. */
export class LaboratoryRole extends ProviderRole {
  /**
   * Seals the DiagnosticReport and posts it against the order (`LabOrders.postLabResult`). The key
   * is sealed to the patient and the laboratory only; the ordering doctor, whom the contract lets
   * read the result for a while, gets it from the custodians.
   */
  async postLabResult(
    params: { patient: string; order: string; diagnosticReport: unknown; sensitive?: boolean } & WriteOptions,
  ): Promise<PostLabResultResult> {
    const patient = addressArgument(params.patient, "patient");
    const order = bytes32Argument(params.order, "order").toLowerCase();
    return this.#writeResult(
      "postLabResult",
      params,
      patient,
      order,
      async () => order,
      (view, commitment, sensitive) => view.postLabResult.populateTransaction(patient, order, commitment, sensitive),
    );
  }

  /** Corrects a posted result with a new version (`LabOrders.correctLabResult`). */
  async correctLabResult(
    params: { patient: string; previousResult: string; diagnosticReport: unknown; sensitive?: boolean } & WriteOptions,
  ): Promise<PostLabResultResult> {
    const patient = addressArgument(params.patient, "patient");
    const previousResult = bytes32Argument(params.previousResult, "previousResult").toLowerCase();
    const { labOrders } = this.core.views;
    return this.#writeResult(
      "correctLabResult",
      params,
      patient,
      previousResult,
      async () =>
        (await this.core.read("orderOfResult", () => labOrders.orderOfResult(patient, previousResult))).toLowerCase(),
      (view, commitment, sensitive) =>
        view.correctLabResult.populateTransaction(patient, previousResult, commitment, sensitive),
    );
  }

  /**
   * A result, first or corrected, named for retries by `keyPart`. Its arguments are checked before
   * the order is looked up, so a bad resource costs no call to the node.
   */
  async #writeResult(
    operation: "postLabResult" | "correctLabResult",
    params: { diagnosticReport: unknown; sensitive?: boolean } & WriteOptions,
    patient: string,
    keyPart: string,
    orderOf: () => Promise<string>,
    populate: (view: LabOrders, commitment: string, sensitive: boolean) => Promise<ContractTransaction>,
  ): Promise<PostLabResultResult> {
    requireResourceType(params.diagnosticReport, "diagnosticReport", "DiagnosticReport");
    const sensitive = optionalBoolean(params.sensitive, "sensitive", false);
    const order = await orderOf();
    return anchoredWrite(this.records, {
      operation,
      patient,
      resource: params.diagnosticReport,
      recordType: RecordType.LabResult,
      sensitive,
      workflow: { kind: "lab-result", related: order },
      idempotencyKey: params.idempotencyKey,
      keyParts: [keyPart],
      preflight: this.providerPreflight(ProviderKind.Laboratory),
      call: (commitment) => ({
        contract: "labOrders",
        populated: populate(this.core.views.labOrders, commitment, sensitive),
      }),
      decode: (mined, commitment) => {
        const event = this.core.event(mined.receipt, "labOrders", "LabResultPosted");
        return { order: event.args.order, result: commitment };
      },
      send: params,
    });
  }
}

/** An emergency department: break-glass sessions, audited on-chain. */
export class EmergencyRole extends ProviderRole {
  protected override readonly defaultPurpose: Purpose = Purpose.Emergency;

  /** `EmergencyAccess.openEmergencyAccess`; returns the session's expiry and count from the event. */
  async openEmergencyAccess(
    params: { patient: string; reasonCode: number; durationSeconds?: number } & SendOptions,
  ): Promise<EmergencyAccessResult> {
    const patient = addressArgument(params.patient, "patient");
    const reasonCode = uintArgument(params.reasonCode, "reasonCode", 16);
    const durationSeconds = optionalUint(params.durationSeconds, "durationSeconds", 32, 4 * HOUR);
    const { tx, args } = await this.core.transactForEvent(
      "emergency",
      (c) => c.openEmergencyAccess.populateTransaction(patient, reasonCode, durationSeconds),
      "EmergencyAccessOpened",
      params,
    );
    return {
      ...tx,
      patient: args.patient,
      provider: args.provider,
      reasonCode: Number(args.reasonCode),
      expiresAt: Number(args.expiresAt),
      count: Number(args.count),
    };
  }

  /** `EmergencyAccess.closeEmergencyAccess`. */
  async closeEmergencyAccess(params: { patient: string } & SendOptions): Promise<TxResult> {
    const patient = addressArgument(params.patient, "patient");
    return this.core.transact("emergency", (c) => c.closeEmergencyAccess.populateTransaction(patient), params);
  }

  /**
   * Reads every record of the patient in the store that the access rule opens for emergency now;
   * records it does not open (or cannot be decrypted for this account) are listed, not thrown.
   */
  async readPatientRecords(params: { patient: string; purpose?: Purpose }): Promise<{
    records: ReadRecordResult[];
    refused: { commitment: string; reason: string }[];
  }> {
    const patient = addressArgument(params.patient, "patient");
    const stored = await this.listRecords({ patient: patient });
    const records: ReadRecordResult[] = [];
    const refused: { commitment: string; reason: string }[] = [];
    for (const record of stored.filter((candidate) => !candidate.erased)) {
      try {
        records.push(
          await this.readRecord({
            patient: patient,
            commitment: record.commitment,
            purpose: params.purpose ?? this.defaultPurpose,
          }),
        );
      } catch (error) {
        if (!isAccessRefusal(error)) throw error;
        refused.push({ commitment: record.commitment, reason: error.code });
      }
    }
    return { records, refused };
  }
}

/** A hospital: check-ins, admissions and appointments that open relationship access. */
export class HospitalRole extends ProviderRole {
  /**
   * `CareRelationships.recordCheckIn`, with the patient's signed visit (EIP-712 `CheckIn` over this
   * hospital, a one-time `visitId` and an `expiresAt` at most an hour ahead).
   */
  async recordCheckIn(
    params: { patient: string; visit: { visitId: string; expiresAt: number; signature: string } } & SendOptions,
  ): Promise<CheckInResult> {
    const patient = addressArgument(params.patient, "patient");
    const visit = visitArgument(params.visit);
    const { tx, args } = await this.core.transactForEvent(
      "relationships",
      (c) => c.recordCheckIn.populateTransaction(patient, visit),
      "CheckedIn",
      params,
    );
    return { ...tx, patient: args.patient, hospital: args.hospital, until: Number(args.until) };
  }

  /**
   * `CareRelationships.admitPatient`, with the patient's signed visit (EIP-712 `Admission` over the
   * ward, a one-time `visitId` and an `expiresAt` at most an hour ahead).
   */
  async admitPatient(
    params: {
      patient: string;
      ward: string;
      visit: { visitId: string; expiresAt: number; signature: string };
    } & SendOptions,
  ): Promise<TxResult> {
    const patient = addressArgument(params.patient, "patient");
    const ward = addressArgument(params.ward, "ward");
    const visit = visitArgument(params.visit);
    return this.core.transact("relationships", (c) => c.admitPatient.populateTransaction(patient, ward, visit), params);
  }

  /** `CareRelationships.dischargePatient`. */
  async dischargePatient(params: { patient: string; ward: string } & SendOptions): Promise<TxResult> {
    const patient = addressArgument(params.patient, "patient");
    const ward = addressArgument(params.ward, "ward");
    return this.core.transact("relationships", (c) => c.dischargePatient.populateTransaction(patient, ward), params);
  }
}

export function startOfUtcDay(timestamp: number): number {
  return timestamp - (timestamp % DAY);
}
