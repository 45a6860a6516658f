/**
 * Signatures: every signed message CareLedger accepts — a relayed consent grant, a relayed revocation,
 * a patient's one-time unlock — attacked the same ways: replayed on another chain, on another
 * deployment, after use or cancellation, after its deadline, made malleable (high s), signed by the
 * wrong key, tampered with in transit, replaced by garbage, or signed for a smart-contract wallet that
 * refuses. Each attack must end in the typed error, write nothing, and is counted in the tally.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import {
  concat,
  dataSlice,
  id,
  toBeHex,
  ZeroHash,
  type BaseContract,
  type ContractTransactionResponse,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";
import { network } from "hardhat";

import { ConsentScope, Purpose } from "../../client/care-types.js";
import type { CareLedgerContracts } from "../../client/deploy.js";
import { CONSENT_EIP712_TYPES, consentDomain } from "../../client/eip712.js";
import { TestERC1271Wallet__factory, type TestERC1271Wallet } from "../../typechain-types/index.js";
import { toHighS } from "../helpers/care-ledger.js";
import { deployWorld, registeredAs, type Cast, type SignerName } from "../helpers/roster.js";
import { RELATIONSHIPS_EIP712_TYPES, relationshipsDomain } from "../helpers/workflow-fixture.js";
import { recordAttack } from "./tally.js";
import { DAY, HOUR } from "../../client/time-units.js";

const { ethers, networkHelpers } = await network.create();

const CATEGORY = "signatures";

/** Who a message is signed for: an EOA patient, or an ERC-1271 wallet whose owner key signs. */
interface Party {
  label: string;
  /** The patient's address (the wallet's, for a smart-contract patient). */
  address: string;
  /** The key whose signature the patient's address accepts. */
  key: HardhatEthersSigner;
  /** The EOA itself, when the patient can send transactions. */
  eoa?: HardhatEthersSigner;
}

interface World {
  main: CareLedgerContracts;
  /** A second, identical deployment on the same chain. */
  other: CareLedgerContracts;
  patient: Party;
  walletPatient: Party;
  wallet: TestERC1271Wallet;
  relayer: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  doctor: HardhatEthersSigner;
  otherDoctor: HardhatEthersSigner;
  pharmacy: HardhatEthersSigner;
}

async function mined(tx: Promise<ContractTransactionResponse>): Promise<void> {
  const receipt = await (await tx).wait();
  if (receipt === null || receipt.status !== 1) throw new Error("A setup transaction failed.");
}

/**
 * The signing world on the shared roster (test/helpers/roster.ts): two independent doctors and a
 * pharmacy registered, the others unregistered; `walletOwner` holds the key of the wallet patient.
 */
const SIGNING_WORLD = {
  actors: ["admin", "registrar", "patient", "relayer", "stranger", "secondDoctor", "pharmacy"],
  extras: [{ name: "walletOwner" }, { name: "otherDoctor", provider: registeredAs.practitioner() }],
} as const satisfies Cast<SignerName, string>;

async function fixture(): Promise<World> {
  // Two identical deployments on the same chain, each with the same providers registered.
  const { contracts: main, signers } = await deployWorld(ethers, SIGNING_WORLD);
  const { contracts: other } = await deployWorld(ethers, SIGNING_WORLD);
  const { admin, patient, walletOwner, relayer, stranger, secondDoctor: doctor, otherDoctor, pharmacy } = signers;
  const wallet = await new TestERC1271Wallet__factory(admin).deploy(walletOwner.address);
  await wallet.waitForDeployment();
  return {
    main,
    other,
    patient: { label: "an EOA patient", address: patient.address, key: patient, eoa: patient },
    walletPatient: { label: "an ERC-1271 wallet patient", address: await wallet.getAddress(), key: walletOwner },
    wallet,
    relayer,
    stranger,
    doctor,
    otherDoctor,
    pharmacy,
  };
}

// ---------------------------------------------------------------------------------------------------
// The three signed messages, behind one interface so that every attack runs against each of them.

/** A message ready to be signed and submitted. */
interface Message {
  party: Party;
  primaryType: "GrantConsent" | "RevokeConsent" | "Unlock";
  /** The values signed. */
  value: Record<string, unknown>;
  /** The deadline or expiry the message carries. */
  deadline: bigint;
}

interface SignedPath {
  name: string;
  /** The error a bad signature gets. */
  invalidError: string;
  /** The error once the deadline or expiry has passed. */
  expiredError: string;
  /** The error when a used message is sent again. */
  replayError: string;
  /** The contract that verifies, in a deployment. */
  verifier(d: CareLedgerContracts): BaseContract;
  /** A fresh message for `party`, valid now unless `deadline` is given. */
  message(w: World, party: Party, deadline?: bigint): Promise<Message>;
  /** The EIP-712 types of the message. */
  types(): Record<string, TypedDataField[]>;
  /** Sends it through `d`, by the relayer (or the doctor the unlock names, unless `sender` is given). */
  submit(
    w: World,
    d: CareLedgerContracts,
    m: Message,
    signature: string,
    sender?: HardhatEthersSigner,
  ): Promise<ContractTransactionResponse>;
  /** Whether the message's effect is in `d`'s state. */
  written(w: World, d: CareLedgerContracts, m: Message): Promise<boolean>;
  /** A copy of the message with one signed field changed by the relayer. */
  tamper(w: World, m: Message): Message;
  /** The error arguments naming the message, for the replay error. */
  replayArgs(m: Message): unknown[];
}

async function latest(): Promise<number> {
  return networkHelpers.time.latest();
}

function grantRequestOf(m: Message) {
  const v = m.value;
  return {
    grantee: v.grantee as string,
    scope: v.scope as number,
    scopeValue: v.scopeValue as string,
    purpose: v.purpose as number,
    validFrom: v.validFrom as number,
    validUntil: v.validUntil as number,
  };
}

function consentTypes(name: "GrantConsent" | "RevokeConsent"): Record<string, TypedDataField[]> {
  return { [name]: CONSENT_EIP712_TYPES[name].map((field) => ({ ...field })) };
}

/** A grant the patient makes (directly, or by the wallet owner's signature), so that a revocation has a target. */
async function standingGrant(w: World, party: Party): Promise<string> {
  const consent = w.main.consent;
  const request = {
    grantee: w.pharmacy.address,
    scope: ConsentScope.AllRecords,
    scopeValue: ZeroHash,
    purpose: Purpose.Treatment,
    validFrom: 0,
    validUntil: (await latest()) + 30 * DAY,
  };
  if (party.eoa !== undefined) {
    await mined(consent.connect(party.eoa).grantConsent(party.address, request));
  } else {
    const deadline = BigInt((await latest()) + HOUR);
    const value = { patient: party.address, ...request, nonce: await consent.nonces(party.address), deadline };
    const signature = await party.key.signTypedData(await consentDomain(consent), consentTypes("GrantConsent"), value);
    await mined(consent.connect(w.relayer).grantConsentBySig(party.address, request, deadline, signature));
  }
  return consent.grantIdOf(request.grantee, request.scope, request.scopeValue, request.purpose);
}

const GRANT: SignedPath = {
  name: "ConsentManager.grantConsentBySig",
  invalidError: "ConsentInvalidSignature",
  expiredError: "ConsentExpiredSignature",
  replayError: "ConsentInvalidSignature",
  verifier: (d) => d.consent as unknown as BaseContract,
  types: () => consentTypes("GrantConsent"),
  message: async (w, party, deadline) => {
    const now = await latest();
    const d = deadline ?? BigInt(now + HOUR);
    return {
      party,
      primaryType: "GrantConsent",
      deadline: d,
      value: {
        patient: party.address,
        grantee: w.pharmacy.address,
        scope: ConsentScope.AllRecords,
        scopeValue: ZeroHash,
        purpose: Purpose.Dispensing,
        validFrom: 0,
        validUntil: now + 30 * DAY,
        nonce: await w.main.consent.nonces(party.address),
        deadline: d,
      },
    };
  },
  submit: (w, d, m, signature, sender) =>
    d.consent.connect(sender ?? w.relayer).grantConsentBySig(m.party.address, grantRequestOf(m), m.deadline, signature),
  written: async (w, d, m) => {
    const r = grantRequestOf(m);
    return d.consent.isGrantActive(
      m.party.address,
      await d.consent.grantIdOf(r.grantee, r.scope, r.scopeValue, r.purpose),
    );
  },
  tamper: (w, m) => ({ ...m, value: { ...m.value, grantee: w.relayer.address } }),
  replayArgs: (m) => [m.party.address],
};

const REVOKE: SignedPath = {
  name: "ConsentManager.revokeConsentBySig",
  invalidError: "ConsentInvalidSignature",
  expiredError: "ConsentExpiredSignature",
  replayError: "ConsentInvalidSignature",
  verifier: (d) => d.consent as unknown as BaseContract,
  types: () => consentTypes("RevokeConsent"),
  message: async (w, party, deadline) => {
    const grantId = await standingGrant(w, party);
    const d = deadline ?? BigInt((await latest()) + HOUR);
    return {
      party,
      primaryType: "RevokeConsent",
      deadline: d,
      value: { patient: party.address, grantId, nonce: await w.main.consent.nonces(party.address), deadline: d },
    };
  },
  submit: (w, d, m, signature, sender) =>
    d.consent
      .connect(sender ?? w.relayer)
      .revokeConsentBySig(m.party.address, m.value.grantId as string, m.deadline, signature),
  written: async (w, d, m) => (await d.consent.grantOf(m.party.address, m.value.grantId as string)).revoked,
  tamper: (w, m) => ({ ...m, value: { ...m.value, grantId: id("careledger/adversarial/another-grant") } }),
  replayArgs: (m) => [m.party.address],
};

let codeCounter = 0;

const UNLOCK: SignedPath = {
  name: "CareRelationships.unlockWithCode",
  invalidError: "CareRelationshipsInvalidUnlock",
  expiredError: "CareRelationshipsUnlockExpired",
  replayError: "CareRelationshipsUnlockUsed",
  verifier: (d) => d.relationships as unknown as BaseContract,
  types: () => ({ Unlock: RELATIONSHIPS_EIP712_TYPES.Unlock.map((field) => ({ ...field })) }),
  message: async (w, party, deadline) => {
    codeCounter += 1;
    const expiresAt = deadline ?? BigInt((await latest()) + HOUR / 2);
    return {
      party,
      primaryType: "Unlock",
      deadline: expiresAt,
      value: {
        patient: party.address,
        doctor: w.doctor.address,
        codeId: id(`careledger/adversarial/unlock-code/${codeCounter}`),
        expiresAt,
      },
    };
  },
  submit: (w, d, m, signature, sender) =>
    d.relationships
      .connect(sender ?? w.doctor)
      .unlockWithCode(m.party.address, m.value.codeId as string, m.deadline, signature),
  written: async (w, d, m) => d.relationships.isCodeUsed(m.party.address, m.value.codeId as string),
  tamper: (w, m) => ({ ...m, value: { ...m.value, codeId: id("careledger/adversarial/another-code") } }),
  replayArgs: (m) => [m.party.address, m.value.codeId],
};

const PATHS: readonly SignedPath[] = [GRANT, REVOKE, UNLOCK];

async function domainOf(path: SignedPath, d: CareLedgerContracts): Promise<TypedDataDomain> {
  return path === UNLOCK ? relationshipsDomain(d.relationships) : consentDomain(d.consent);
}

/** The message signed by `signer` (the party's own key by default) in `domain` (the main deployment's by default). */
async function sign(
  w: World,
  path: SignedPath,
  m: Message,
  options: { signer?: HardhatEthersSigner; domain?: TypedDataDomain } = {},
): Promise<string> {
  const domain = options.domain ?? (await domainOf(path, w.main));
  return (options.signer ?? m.party.key).signTypedData(domain, path.types(), m.value);
}

interface Rejection {
  error: "invalid" | "expired" | "replay";
  /** Error arguments; default: the party's address for invalid, the deadline for expired. */
  args?: unknown[];
}

/**
 * Submits and requires the typed rejection, that nothing was written and (for consents) that the
 * patient's nonce did not move. Counts the attack either way.
 */
async function expectRejected(
  w: World,
  path: SignedPath,
  attack: string,
  m: Message,
  signature: string,
  rejection: Rejection,
  options: { deployment?: CareLedgerContracts; sender?: HardhatEthersSigner } = {},
): Promise<void> {
  const d = options.deployment ?? w.main;
  const nonceBefore = await d.consent.nonces(m.party.address);
  const writtenBefore = await path.written(w, d, m);
  try {
    const errorName =
      rejection.error === "invalid"
        ? path.invalidError
        : rejection.error === "expired"
          ? path.expiredError
          : path.replayError;
    const args =
      rejection.args ??
      (rejection.error === "invalid"
        ? [m.party.address]
        : rejection.error === "expired"
          ? [m.deadline]
          : path.replayArgs(m));
    await expect(path.submit(w, d, m, signature, options.sender))
      .to.be.revertedWithCustomError(path.verifier(d), errorName)
      .withArgs(...args);
    expect(await d.consent.nonces(m.party.address), "the nonce moved").to.equal(nonceBefore);
    expect(await path.written(w, d, m), "the message's effect was written").to.equal(writtenBefore);
    recordAttack(CATEGORY, true);
  } catch (error) {
    recordAttack(CATEGORY, false, `${path.name} for ${m.party.label}: ${attack}`);
    throw error;
  }
}

/** 65 bytes of noise that are no signature at all; fixed, so every run sends the same bytes. */
function noiseSignature(): string {
  return dataSlice(concat([id("careledger noise 1"), id("careledger noise 2"), id("careledger noise 3")]), 0, 65);
}

describe("adversarial: signed messages", function () {
  let w: World;

  beforeEach(async function () {
    w = await networkHelpers.loadFixture(fixture);
  });

  for (const path of PATHS) {
    describe(path.name, function () {
      for (const partyKey of ["patient", "walletPatient"] as const) {
        describe(`signed for ${partyKey === "patient" ? "an EOA patient" : "an ERC-1271 wallet patient"}`, function () {
          it("accepts the patient's own signature, relayed once (the control)", async function () {
            const m = await path.message(w, w[partyKey]);
            await mined(path.submit(w, w.main, m, await sign(w, path, m)));
            expect(await path.written(w, w.main, m)).to.equal(true);
          });

          it("refuses it replayed after use", async function () {
            const m = await path.message(w, w[partyKey]);
            const signature = await sign(w, path, m);
            await mined(path.submit(w, w.main, m, signature));
            const nonceAfterUse = await w.main.consent.nonces(m.party.address);
            await expect(path.submit(w, w.main, m, signature)).to.be.revertedWithCustomError(
              path.verifier(w.main),
              path.replayError,
            );
            expect(await w.main.consent.nonces(m.party.address)).to.equal(nonceAfterUse);
            recordAttack(CATEGORY, true);
          });

          it("refuses a signature for another chain id", async function () {
            const m = await path.message(w, w[partyKey]);
            const domain = await domainOf(path, w.main);
            const signature = await sign(w, path, m, {
              domain: { ...domain, chainId: BigInt(domain.chainId ?? 0) + 1n },
            });
            await expectRejected(w, path, "another chain id", m, signature, { error: "invalid" });
          });

          it("refuses a signature for another deployment's verifying contract", async function () {
            const m = await path.message(w, w[partyKey]);
            const signature = await sign(w, path, m, { domain: await domainOf(path, w.other) });
            await expectRejected(w, path, "another deployment's domain", m, signature, { error: "invalid" });
          });

          it("refuses a valid signature relayed to another deployment", async function () {
            const m = await path.message(w, w[partyKey]);
            const signature = await sign(w, path, m);
            await expectRejected(
              w,
              path,
              "relayed to another deployment",
              m,
              signature,
              { error: "invalid" },
              { deployment: w.other },
            );
          });

          it("refuses it after the deadline", async function () {
            const now = await latest();
            const m = await path.message(w, w[partyKey], BigInt(now - 1));
            await expectRejected(w, path, "deadline passed", m, await sign(w, path, m), { error: "expired" });
          });

          it("refuses it when the deadline passes while it is in transit", async function () {
            const m = await path.message(w, w[partyKey], BigInt((await latest()) + 60));
            const signature = await sign(w, path, m);
            await networkHelpers.time.increase(120);
            await expectRejected(w, path, "deadline passed in transit", m, signature, { error: "expired" });
          });

          it("refuses the malleable twin of a valid signature (s replaced by n - s, v flipped)", async function () {
            const m = await path.message(w, w[partyKey]);
            const signature = toHighS(await sign(w, path, m));
            await expectRejected(w, path, "high-s signature", m, signature, { error: "invalid" });
          });

          it("refuses a signature made by the wrong key", async function () {
            const m = await path.message(w, w[partyKey]);
            const signature = await sign(w, path, m, { signer: w.stranger });
            await expectRejected(w, path, "wrong signer", m, signature, { error: "invalid" });
          });

          it("refuses a message the relayer changed after it was signed", async function () {
            const m = await path.message(w, w[partyKey]);
            const signature = await sign(w, path, m);
            await expectRejected(w, path, "tampered message", path.tamper(w, m), signature, { error: "invalid" });
          });

          const garbage: [string, (valid: string) => string][] = [
            ["65 bytes of noise", () => noiseSignature()],
            ["65 zero bytes", () => ZeroHash + "00".repeat(33)],
            ["an empty signature", () => "0x"],
            ["a short (64-byte) signature", (valid) => dataSlice(valid, 0, 64)],
            ["a 66-byte signature", (valid) => concat([valid, "0x00"])],
            ["v of 0", (valid) => concat([dataSlice(valid, 0, 64), toBeHex(0, 1)])],
          ];
          for (const [label, make] of garbage) {
            it(`refuses ${label}`, async function () {
              const m = await path.message(w, w[partyKey]);
              const signature = make(await sign(w, path, m));
              await expectRejected(w, path, label, m, signature, { error: "invalid" });
            });
          }

          if (partyKey === "walletPatient") {
            it("refuses the owner's valid signature when the ERC-1271 wallet refuses", async function () {
              const m = await path.message(w, w.walletPatient);
              const signature = await sign(w, path, m);
              await mined(w.wallet.setRefusing(true));
              await expectRejected(w, path, "ERC-1271 wallet refuses", m, signature, { error: "invalid" });
            });
          }

          if (partyKey === "patient") {
            it("refuses a signature the patient cancelled beforehand", async function () {
              const m = await path.message(w, w.patient);
              const signature = await sign(w, path, m);
              const patient = w.patient.eoa as HardhatEthersSigner;
              if (path === UNLOCK) {
                await mined(w.main.relationships.connect(patient).cancelUnlockCode(m.value.codeId as string));
                await expectRejected(w, path, "cancelled beforehand", m, signature, { error: "replay" });
              } else {
                await mined(w.main.consent.connect(patient).invalidateNonce());
                await expectRejected(w, path, "nonce invalidated beforehand", m, signature, { error: "invalid" });
              }
            });
          }
        });
      }
    });
  }

  describe("CareRelationships.unlockWithCode only", function () {
    it("refuses an unlock presented by a doctor other than the one it names", async function () {
      const m = await UNLOCK.message(w, w.patient);
      const signature = await sign(w, UNLOCK, m);
      await expectRejected(
        w,
        UNLOCK,
        "presented by another doctor",
        m,
        signature,
        { error: "invalid" },
        { sender: w.otherDoctor },
      );
      expect(await w.main.relationships.unlockedUntil(w.patient.address, w.otherDoctor.address)).to.equal(0n);
    });

    it("refuses a code whose expiry is further ahead than a code may live, though validly signed", async function () {
      const lifetime = await w.main.relationships.MAX_CODE_LIFETIME();
      const m = await UNLOCK.message(w, w.patient, BigInt(await latest()) + lifetime + 60n);
      await expectRejected(w, UNLOCK, "expiry beyond the maximum lifetime", m, await sign(w, UNLOCK, m), {
        error: "expired",
      });
    });
  });

  describe("ConsentManager only", function () {
    it("refuses a signature over an old nonce once a newer one was used", async function () {
      const first = await GRANT.message(w, w.patient);
      const unused = await sign(w, GRANT, first);
      await mined(w.main.consent.connect(w.patient.eoa as HardhatEthersSigner).invalidateNonce());
      const second = await GRANT.message(w, w.patient);
      await mined(GRANT.submit(w, w.main, second, await sign(w, GRANT, second)));
      await expectRejected(w, GRANT, "stale nonce", first, unused, { error: "invalid" });
    });
  });
});
