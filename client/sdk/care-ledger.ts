import { AccessBasis, Purpose, RecordType } from "../care-types.js";
import type { FhirResource } from "../fhir/index.js";
import { addressArgument, bytes32Argument, optionalAddressArgument, optionalEnum } from "./arguments.js";
import type { ContentStore } from "../storage/index.js";
import { subscribeAlerts, type AlertHandlers, type SubscribeOptions, type Unsubscribe } from "./alerts.js";
import { auditStore, type AuditOptions, type AuditReport } from "./audit.js";
import type { CareLedgerAddresses } from "./contract-abis.js";
import type { EncryptionKeyDirectory } from "./keys/encryption-key-directory.js";
import { LedgerCore, type CareLedgerOptions } from "./ledger-core.js";
import {
  RecordService,
  type BatchLocation,
  type ReadRecordResult,
  type StoredRecord,
} from "./records/record-service.js";
import { DoctorRole, EmergencyRole, HospitalRole, LaboratoryRole, PharmacyRole } from "./roles/clinical-roles.js";
import { DelegateRole, RelayerRole } from "./roles/delegate-relayer-roles.js";
import { PatientRole } from "./roles/patient-role.js";
import { RegistrarRole } from "./roles/registrar-role.js";

/** A record's on-chain entry, in plain numbers. */
export interface OnChainRecord {
  readonly author: string;
  readonly anchoredAt: number;
  readonly recordType: RecordType;
  readonly sensitive: boolean;
  readonly erased: boolean;
  readonly superseded: boolean;
  readonly version: number;
}

/**
 * The CareLedger client of one account: role-shaped APIs over the contracts, with records sealed,
 * stored and read through the chain's access rule.
 *
 * ```ts
 * const ledger = await CareLedger.connect({ signer, addresses, store, custodians });
 * const { commitment } = await ledger.doctor.putRecord({ patient, resource });
 * const { resource } = await patientLedger.patient.readRecord({ commitment });
 * ```
 *
 * Every role is available on every client; the contracts decide what the account may do, and the
 * SDK checks the obvious cases (the signer is not a doctor, not registered) before anything is
 * stored or sent.
 */
export class CareLedger {
  readonly registrar: RegistrarRole;
  readonly doctor: DoctorRole;
  readonly pharmacy: PharmacyRole;
  readonly laboratory: LaboratoryRole;
  readonly emergency: EmergencyRole;
  readonly hospital: HospitalRole;
  /** The signer as a patient (its own records and consents). */
  readonly patient: PatientRole;
  /** The signer acting for patients who appointed it (or whose guardian it is). */
  readonly delegate: DelegateRole;
  /** The signer relaying patients' signed grants and revocations. */
  readonly relayer: RelayerRole;

  readonly #core: LedgerCore;
  readonly #records: RecordService;

  private constructor(core: LedgerCore) {
    this.#core = core;
    this.#records = new RecordService(core);
    this.registrar = new RegistrarRole(core);
    this.doctor = new DoctorRole(core, this.#records);
    this.pharmacy = new PharmacyRole(core, this.#records);
    this.laboratory = new LaboratoryRole(core, this.#records);
    this.emergency = new EmergencyRole(core, this.#records);
    this.hospital = new HospitalRole(core, this.#records);
    this.patient = new PatientRole(core, this.#records, core.address);
    this.delegate = new DelegateRole(core, this.#records);
    this.relayer = new RelayerRole(core);
  }

  /**
   * Connects a signer to a deployment. Publishes the keyring's encryption key on-chain when it is not
   * there yet (unless `publishKey: false`), opens the default store and journal when none are given.
   */
  static async connect(options: CareLedgerOptions): Promise<CareLedger> {
    return new CareLedger(await LedgerCore.create(options));
  }

  /** This client's account (EIP-55). */
  get address(): string {
    return this.#core.address;
  }

  get chainId(): bigint {
    return this.#core.chainId;
  }

  get addresses(): CareLedgerAddresses {
    return this.#core.addresses;
  }

  get store(): ContentStore {
    return this.#core.store;
  }

  /** Every account's on-chain encryption key, and this account's own keyring. */
  get keys(): EncryptionKeyDirectory {
    return this.#core.keys;
  }

  /** Reads any record through the access rule, for `purpose` (default Treatment). */
  async readRecord<R extends FhirResource = FhirResource>(params: {
    patient: string;
    commitment: string;
    purpose?: Purpose;
    /** For a record anchored in a batch another account wrote: where it sits. */
    batch?: BatchLocation;
  }): Promise<ReadRecordResult<R>> {
    return this.#records.read<R>(params.patient, params.commitment, params.purpose ?? Purpose.Treatment, params.batch);
  }

  /** Records in the shared store (metadata only), of one patient or all. */
  async listRecords(params: { patient?: string } = {}): Promise<StoredRecord[]> {
    return this.#records.list(params.patient);
  }

  /** The registry's entry for a record (author zero when it was never anchored). */
  async recordOf(params: { patient: string; commitment: string }): Promise<OnChainRecord> {
    const patient = addressArgument(params.patient, "patient");
    const commitment = bytes32Argument(params.commitment, "commitment");
    const record = await this.#core.read("recordOf", () => this.#core.views.registry.recordOf(patient, commitment));
    const flags = Number(record.flags);
    return {
      author: record.author,
      anchoredAt: Number(record.anchoredAt),
      recordType: Number(record.recordType) as RecordType,
      sensitive: (flags & 1) !== 0,
      erased: (flags & 2) !== 0,
      superseded: (flags & 4) !== 0,
      version: Number(record.version),
    };
  }

  /** On what basis the access rule lets `accessor` in (`AccessBasis.None` when it does not). */
  async accessBasis(params: {
    accessor?: string;
    patient: string;
    commitment: string;
    purpose?: Purpose;
  }): Promise<AccessBasis> {
    const basis = await this.#core.read("accessBasis", () =>
      this.#core.views.consent.accessBasis(
        optionalAddressArgument(params.accessor, "accessor") ?? this.#core.address,
        addressArgument(params.patient, "patient"),
        bytes32Argument(params.commitment, "commitment"),
        optionalEnum<Purpose>(params.purpose, "purpose", Purpose, Purpose.Treatment),
      ),
    );
    return Number(basis) as AccessBasis;
  }

  /** Compares the store with the chain: intact, altered, missing, unanchored, erased. */
  async audit(options: AuditOptions = {}): Promise<AuditReport> {
    return auditStore(this.#core, options);
  }

  /** Polls for alerts about a patient or a provider; returns the function that stops it. */
  async subscribe(options: SubscribeOptions, handlers: AlertHandlers): Promise<Unsubscribe> {
    return subscribeAlerts(this.#core, options, handlers);
  }

  /** Releases the crypto workers and the default store (a store passed in stays open). */
  close(): Promise<void> {
    return this.#core.close();
  }
}
