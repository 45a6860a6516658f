import { expect } from "chai";
import {
  AbiCoder,
  concat,
  id,
  keccak256,
  Signature,
  toUtf8Bytes,
  TypedDataEncoder,
  ZeroHash,
  type ContractTransactionResponse,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";
import { network } from "hardhat";

import { CONSENT_EIP712_TYPES, consentDomain, signGrantConsent, signRevokeConsent } from "../../client/eip712.js";
import { ConsentManager__factory, TestERC1271Wallet__factory } from "../../typechain-types/index.js";
import {
  ADMIN_DELAY,
  commitmentOf,
  ConsentScope,
  DAY,
  deployCareLedgerWorld,
  grantIdOf,
  grantIdOfRequest,
  grantRequest,
  Purpose,
  RecordType,
  recordTypeScope,
  structOf,
  toHighS,
  type GrantRequest,
} from "../helpers/care-ledger.js";

const { ethers, networkHelpers } = await network.create();

const EIP712_NAME = "CareLedger Consent";
const EIP712_VERSION = "1";
/** The ecrecover precompile. */
const ECRECOVER = "0x0000000000000000000000000000000000000001";
/** ERC-5267 fields bitmap: name, version, chainId, verifyingContract. */
const EIP712_FIELDS = "0x0f";

function typesOf(name: keyof typeof CONSENT_EIP712_TYPES): Record<string, TypedDataField[]> {
  return { [name]: CONSENT_EIP712_TYPES[name].map((field) => ({ ...field })) };
}

async function fixture() {
  const world = await deployCareLedgerWorld(ethers);
  const { directory, registry, delegation, consent, admin, doctor, patient } = world;
  const note = commitmentOf("note");
  await (await registry.connect(doctor).anchorRecord(patient, note, RecordType.ClinicalNote, false)).wait();

  const otherDeployment = await new ConsentManager__factory(admin).deploy(
    admin.address,
    ADMIN_DELAY,
    directory,
    registry,
    delegation,
  );
  await otherDeployment.waitForDeployment();

  const wallet = await new TestERC1271Wallet__factory(admin).deploy(patient.address);
  await wallet.waitForDeployment();
  const walletAddress = await wallet.getAddress();

  const domain = await consentDomain(consent);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const now = await networkHelpers.time.latest();
  return { ...world, note, otherDeployment, wallet, walletAddress, domain, chainId, now, deadline: now + DAY };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

/** One way to grant or revoke: the patient's own transaction, or a relayed signature. */
interface ConsentPath {
  name: string;
  grant(f: Fixture, request: GrantRequest): Promise<ContractTransactionResponse>;
  grantStatic(f: Fixture, request: GrantRequest): Promise<string>;
  revoke(f: Fixture, grantId: string): Promise<ContractTransactionResponse>;
}

const PATHS: ConsentPath[] = [
  {
    name: "sent by the patient",
    grant: (f, request) => f.consent.connect(f.patient).grantConsent(f.patient, request),
    grantStatic: (f, request) => f.consent.connect(f.patient).grantConsent.staticCall(f.patient, request),
    revoke: (f, grantId) => f.consent.connect(f.patient).revokeConsent(f.patient, grantId),
  },
  {
    name: "signed by the patient and relayed",
    grant: async (f, request) => {
      const signature = await signGrantConsent(f.patient, f.consent, f.patient.address, request, f.deadline);
      return f.consent.connect(f.relayer).grantConsentBySig(f.patient, request, f.deadline, signature);
    },
    grantStatic: async (f, request) => {
      const signature = await signGrantConsent(f.patient, f.consent, f.patient.address, request, f.deadline);
      return f.consent.connect(f.relayer).grantConsentBySig.staticCall(f.patient, request, f.deadline, signature);
    },
    revoke: async (f, grantId) => {
      const signature = await signRevokeConsent(f.patient, f.consent, f.patient.address, grantId, f.deadline);
      return f.consent.connect(f.relayer).revokeConsentBySig(f.patient, grantId, f.deadline, signature);
    },
  },
];

describe("ConsentManager signatures (EIP-712)", function () {
  let f: Fixture;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  describe("typed data", function () {
    for (const name of ["GrantConsent", "RevokeConsent"] as const) {
      it(`hashes ${name} with the type string of the SDK's table`, async function () {
        const encoded = TypedDataEncoder.from(typesOf(name)).encodeType(name);
        const onChain =
          name === "GrantConsent"
            ? await f.consent.GRANT_CONSENT_TYPEHASH()
            : await f.consent.REVOKE_CONSENT_TYPEHASH();
        expect(onChain).to.equal(keccak256(toUtf8Bytes(encoded)));
      });
    }

    it("publishes its domain through eip712Domain (ERC-5267)", async function () {
      const { consent, chainId } = f;
      const domain = await consent.eip712Domain();
      expect(domain.fields).to.equal(EIP712_FIELDS);
      expect(domain.name).to.equal(EIP712_NAME);
      expect(domain.version).to.equal(EIP712_VERSION);
      expect(domain.chainId).to.equal(chainId);
      expect(domain.verifyingContract).to.equal(await consent.getAddress());
      expect(domain.salt).to.equal(ZeroHash);
      expect(domain.extensions).to.deep.equal([]);
    });

    it("gives every deployment its own domain", async function () {
      const { otherDeployment, domain } = f;
      const other = await consentDomain(otherDeployment);
      expect(other.verifyingContract).to.equal(await otherDeployment.getAddress());
      expect(other.verifyingContract).to.not.equal(domain.verifyingContract);
    });
  });

  for (const path of PATHS) {
    describe(`grant and revoke ${path.name}`, function () {
      it("returns the grant id, announces the grant and stores it", async function () {
        const { consent, patient, pharmacy, now } = f;
        const request = grantRequest(pharmacy.address, now, {
          scope: ConsentScope.RecordType,
          scopeValue: recordTypeScope(RecordType.Prescription),
          purpose: Purpose.Dispensing,
        });
        const grantId = grantIdOfRequest(request);
        expect(await path.grantStatic(f, request)).to.equal(grantId);
        await expect(path.grant(f, request))
          .to.emit(consent, "ConsentGranted")
          .withArgs(
            patient.address,
            pharmacy.address,
            grantId,
            request.scope,
            request.scopeValue,
            request.purpose,
            request.validFrom,
            request.validUntil,
          );
        expect(structOf(await consent.grantOf(patient.address, grantId))).to.deep.equal({
          grantee: pharmacy.address,
          validFrom: BigInt(request.validFrom),
          validUntil: BigInt(request.validUntil),
          revoked: false,
        });
        expect(await consent.isGrantActive(patient.address, grantId)).to.equal(true);
      });

      it("revokes the grant and announces it", async function () {
        const { consent, patient, doctor, now } = f;
        const request = grantRequest(doctor.address, now);
        await (await path.grant(f, request)).wait();
        const grantId = grantIdOfRequest(request);
        await expect(path.revoke(f, grantId))
          .to.emit(consent, "ConsentRevoked")
          .withArgs(patient.address, doctor.address, grantId);
        expect((await consent.grantOf(patient.address, grantId)).revoked).to.equal(true);
        expect(await consent.isGrantActive(patient.address, grantId)).to.equal(false);
      });

      it("reactivates a revoked grant when granted again", async function () {
        const { consent, patient, doctor, now } = f;
        const request = grantRequest(doctor.address, now);
        const grantId = grantIdOfRequest(request);
        await (await path.grant(f, request)).wait();
        await (await path.revoke(f, grantId)).wait();
        await (await path.grant(f, request)).wait();
        expect(await consent.isGrantActive(patient.address, grantId)).to.equal(true);
      });

      it("refuses revoking a grant that does not exist", async function () {
        const { consent, patient, doctor } = f;
        const grantId = grantIdOf(doctor.address, ConsentScope.AllRecords, ZeroHash, Purpose.Research);
        await expect(path.revoke(f, grantId))
          .to.be.revertedWithCustomError(consent, "ConsentGrantNotFound")
          .withArgs(patient.address, grantId);
      });

      it("refuses revoking a grant twice", async function () {
        const { consent, patient, doctor, now } = f;
        const request = grantRequest(doctor.address, now);
        const grantId = grantIdOfRequest(request);
        await (await path.grant(f, request)).wait();
        await (await path.revoke(f, grantId)).wait();
        await expect(path.revoke(f, grantId))
          .to.be.revertedWithCustomError(consent, "ConsentAlreadyRevoked")
          .withArgs(patient.address, grantId);
      });

      it("refuses a grant to the patient themself", async function () {
        const { consent, patient, now } = f;
        await expect(path.grant(f, grantRequest(patient.address, now)))
          .to.be.revertedWithCustomError(consent, "ConsentSelfGrant")
          .withArgs(patient.address);
      });

      it("refuses a zero grantee", async function () {
        const { consent, now } = f;
        await expect(path.grant(f, grantRequest(ethers.ZeroAddress, now))).to.be.revertedWithCustomError(
          consent,
          "ConsentZeroAddress",
        );
      });

      it("refuses the purpose None", async function () {
        const { consent, doctor, now } = f;
        await expect(path.grant(f, grantRequest(doctor.address, now, { purpose: Purpose.None })))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidPurpose")
          .withArgs(Purpose.None);
      });

      it("refuses an empty period", async function () {
        const { consent, doctor, now } = f;
        await expect(path.grant(f, grantRequest(doctor.address, now, { validFrom: now + DAY, validUntil: now + DAY })))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidPeriod")
          .withArgs(now + DAY, now + DAY);
      });

      it("refuses a scope value that does not fit the scope", async function () {
        const { consent, doctor, now, note } = f;
        await expect(path.grant(f, grantRequest(doctor.address, now, { scopeValue: note })))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidScope")
          .withArgs(ConsentScope.AllRecords, note);
      });
    });
  }

  describe("grantConsentBySig", function () {
    let request: GrantRequest;

    beforeEach(function () {
      request = grantRequest(f.doctor.address, f.now);
    });

    describe("with a valid signature", function () {
      it("consumes the patient's nonce, not the relayer's", async function () {
        const { consent, patient, relayer, deadline } = f;
        const signature = await signGrantConsent(patient, consent, patient.address, request, deadline);
        await (await consent.connect(relayer).grantConsentBySig(patient, request, deadline, signature)).wait();
        expect(await consent.nonces(patient.address)).to.equal(1n);
        expect(await consent.nonces(relayer.address)).to.equal(0n);
      });

      it("accepts a deadline equal to the block time", async function () {
        const { consent, patient, relayer, now } = f;
        const deadline = now + 10;
        const signature = await signGrantConsent(patient, consent, patient.address, request, deadline);
        await networkHelpers.time.setNextBlockTimestamp(deadline);
        await expect(consent.connect(relayer).grantConsentBySig(patient, request, deadline, signature)).to.emit(
          consent,
          "ConsentGranted",
        );
      });

      it("leaves the nonce unused when the grant itself is refused", async function () {
        const { consent, patient, relayer, deadline } = f;
        const bad = { ...request, purpose: Purpose.None };
        const signature = await signGrantConsent(patient, consent, patient.address, bad, deadline);
        await expect(
          consent.connect(relayer).grantConsentBySig(patient, bad, deadline, signature),
        ).to.be.revertedWithCustomError(consent, "ConsentInvalidPurpose");
        expect(await consent.nonces(patient.address)).to.equal(0n);
      });
    });

    describe("with a rejected signature", function () {
      it("refuses an expired deadline", async function () {
        const { consent, patient, relayer, now } = f;
        const deadline = now + 10;
        const signature = await signGrantConsent(patient, consent, patient.address, request, deadline);
        await networkHelpers.time.setNextBlockTimestamp(deadline + 1);
        await expect(consent.connect(relayer).grantConsentBySig(patient, request, deadline, signature))
          .to.be.revertedWithCustomError(consent, "ConsentExpiredSignature")
          .withArgs(deadline);
      });

      it("refuses a replay of a used signature", async function () {
        const { consent, patient, relayer, deadline } = f;
        const signature = await signGrantConsent(patient, consent, patient.address, request, deadline);
        await (await consent.connect(relayer).grantConsentBySig(patient, request, deadline, signature)).wait();
        await expect(consent.connect(relayer).grantConsentBySig(patient, request, deadline, signature))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
          .withArgs(patient.address);
      });

      it("refuses a signature whose nonce the patient invalidated", async function () {
        const { consent, patient, relayer, deadline } = f;
        const signature = await signGrantConsent(patient, consent, patient.address, request, deadline);
        await (await consent.connect(patient).invalidateNonce()).wait();
        await expect(consent.connect(relayer).grantConsentBySig(patient, request, deadline, signature))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
          .withArgs(patient.address);
      });

      it("refuses a signature made for a later nonce", async function () {
        const { consent, patient, relayer, deadline } = f;
        const signature = await signGrantConsent(patient, consent, patient.address, request, deadline, 1n);
        await expect(consent.connect(relayer).grantConsentBySig(patient, request, deadline, signature))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
          .withArgs(patient.address);
      });

      it("refuses a grant signature whose nonce a relayed revocation used first", async function () {
        const { consent, patient, relayer, deadline, now, pharmacy } = f;
        const first = grantRequest(pharmacy.address, now);
        await (await consent.connect(patient).grantConsent(patient, first)).wait();
        const grantSignature = await signGrantConsent(patient, consent, patient.address, request, deadline);
        const revokeSignature = await signRevokeConsent(
          patient,
          consent,
          patient.address,
          grantIdOfRequest(first),
          deadline,
        );
        await (
          await consent.connect(relayer).revokeConsentBySig(patient, grantIdOfRequest(first), deadline, revokeSignature)
        ).wait();
        await expect(consent.connect(relayer).grantConsentBySig(patient, request, deadline, grantSignature))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
          .withArgs(patient.address);
      });

      it("refuses a signature made for another chain id", async function () {
        const { consent, patient, relayer, deadline, domain, chainId } = f;
        const wrongDomain: TypedDataDomain = { ...domain, chainId: chainId + 1n };
        const signature = await patient.signTypedData(wrongDomain, typesOf("GrantConsent"), {
          patient: patient.address,
          ...request,
          nonce: 0,
          deadline,
        });
        await expect(consent.connect(relayer).grantConsentBySig(patient, request, deadline, signature))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
          .withArgs(patient.address);
      });

      it("refuses a signature made for another deployment, which that deployment accepts", async function () {
        const { consent, otherDeployment, patient, relayer, deadline } = f;
        const signature = await signGrantConsent(patient, otherDeployment, patient.address, request, deadline);
        await expect(consent.connect(relayer).grantConsentBySig(patient, request, deadline, signature))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
          .withArgs(patient.address);
        await expect(otherDeployment.connect(relayer).grantConsentBySig(patient, request, deadline, signature)).to.emit(
          otherDeployment,
          "ConsentGranted",
        );
      });

      it("refuses a signature by someone other than the patient", async function () {
        const { consent, patient, stranger, relayer, deadline } = f;
        const signature = await signGrantConsent(stranger, consent, patient.address, request, deadline);
        await expect(consent.connect(relayer).grantConsentBySig(patient, request, deadline, signature))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
          .withArgs(patient.address);
      });

      it("refuses a request the relayer altered", async function () {
        const { consent, patient, relayer, deadline } = f;
        const signature = await signGrantConsent(patient, consent, patient.address, request, deadline);
        const altered = { ...request, grantee: relayer.address };
        await expect(consent.connect(relayer).grantConsentBySig(patient, altered, deadline, signature))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
          .withArgs(patient.address);
        await expect(consent.connect(relayer).grantConsentBySig(patient, request, deadline + 1, signature))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
          .withArgs(patient.address);
      });

      it("refuses the malleable high-s twin of a valid signature", async function () {
        const { consent, patient, relayer, deadline } = f;
        const signature = await signGrantConsent(patient, consent, patient.address, request, deadline);
        const twin = toHighS(signature);
        const digest = TypedDataEncoder.hash(f.domain, typesOf("GrantConsent"), {
          patient: patient.address,
          ...request,
          nonce: 0,
          deadline,
        });
        // The twin is a valid secp256k1 signature of the same digest by the same key: the
        // ecrecover precompile itself returns the patient for it.
        expect(ethers.dataSlice(twin, 32, 64)).to.not.equal(Signature.from(signature).s);
        const recovered = await ethers.provider.call({
          to: ECRECOVER,
          data: AbiCoder.defaultAbiCoder().encode(
            ["bytes32", "uint8", "bytes32", "bytes32"],
            [digest, ethers.dataSlice(twin, 64, 65), ethers.dataSlice(twin, 0, 32), ethers.dataSlice(twin, 32, 64)],
          ),
        });
        expect(ethers.getAddress(ethers.dataSlice(recovered, 12))).to.equal(patient.address);
        await expect(consent.connect(relayer).grantConsentBySig(patient, request, deadline, twin))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
          .withArgs(patient.address);
        await expect(consent.connect(relayer).grantConsentBySig(patient, request, deadline, signature)).to.emit(
          consent,
          "ConsentGranted",
        );
      });

      const malformed: { title: string; bytes: (signature: string) => string }[] = [
        { title: "empty signature bytes", bytes: () => "0x" },
        { title: "65 bytes of garbage", bytes: () => concat([id("garbage/r"), id("garbage/s"), "0x1b"]) },
        { title: "a 64-byte compact (EIP-2098) signature", bytes: (sig) => Signature.from(sig).compactSerialized },
        { title: "a signature cut short", bytes: (sig) => ethers.dataSlice(sig, 0, 64) },
        { title: "a signature with a byte too many", bytes: (sig) => concat([sig, "0x00"]) },
        {
          title: "a signature with v = 0",
          bytes: (sig) => concat([ethers.dataSlice(sig, 0, 64), "0x00"]),
        },
      ];
      for (const { title, bytes } of malformed) {
        it(`refuses ${title}`, async function () {
          const { consent, patient, relayer, deadline } = f;
          const signature = await signGrantConsent(patient, consent, patient.address, request, deadline);
          await expect(consent.connect(relayer).grantConsentBySig(patient, request, deadline, bytes(signature)))
            .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
            .withArgs(patient.address);
        });
      }
    });

    describe("for a smart-contract wallet (ERC-1271)", function () {
      it("grants when the wallet accepts the signature", async function () {
        const { consent, patient, relayer, walletAddress, deadline, doctor } = f;
        const signature = await signGrantConsent(patient, consent, walletAddress, request, deadline);
        const grantId = grantIdOfRequest(request);
        expect(
          await consent.connect(relayer).grantConsentBySig.staticCall(walletAddress, request, deadline, signature),
        ).to.equal(grantId);
        await expect(consent.connect(relayer).grantConsentBySig(walletAddress, request, deadline, signature))
          .to.emit(consent, "ConsentGranted")
          .withArgs(
            walletAddress,
            doctor.address,
            grantId,
            request.scope,
            request.scopeValue,
            request.purpose,
            request.validFrom,
            request.validUntil,
          );
        expect(await consent.isGrantActive(walletAddress, grantId)).to.equal(true);
        expect(await consent.nonces(walletAddress)).to.equal(1n);
      });

      it("refuses when the wallet refuses", async function () {
        const { consent, wallet, patient, relayer, walletAddress, deadline } = f;
        await (await wallet.setRefusing(true)).wait();
        const signature = await signGrantConsent(patient, consent, walletAddress, request, deadline);
        await expect(consent.connect(relayer).grantConsentBySig(walletAddress, request, deadline, signature))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
          .withArgs(walletAddress);
      });

      it("refuses a signature by a key the wallet does not know", async function () {
        const { consent, stranger, relayer, walletAddress, deadline } = f;
        const signature = await signGrantConsent(stranger, consent, walletAddress, request, deadline);
        await expect(consent.connect(relayer).grantConsentBySig(walletAddress, request, deadline, signature))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
          .withArgs(walletAddress);
      });

      it("revokes when the wallet accepts the signature", async function () {
        const { consent, patient, relayer, walletAddress, deadline, doctor } = f;
        const grantSignature = await signGrantConsent(patient, consent, walletAddress, request, deadline);
        await (
          await consent.connect(relayer).grantConsentBySig(walletAddress, request, deadline, grantSignature)
        ).wait();
        const grantId = grantIdOfRequest(request);
        const revokeSignature = await signRevokeConsent(patient, consent, walletAddress, grantId, deadline);
        await expect(consent.connect(relayer).revokeConsentBySig(walletAddress, grantId, deadline, revokeSignature))
          .to.emit(consent, "ConsentRevoked")
          .withArgs(walletAddress, doctor.address, grantId);
      });
    });

    it("refuses a zero patient, who cannot sign", async function () {
      const { consent, patient, relayer, deadline } = f;
      const signature = await signGrantConsent(patient, consent, ethers.ZeroAddress, request, deadline);
      await expect(consent.connect(relayer).grantConsentBySig(ethers.ZeroAddress, request, deadline, signature))
        .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("revokeConsentBySig", function () {
    let grantId: string;

    beforeEach(async function () {
      const request = grantRequest(f.doctor.address, f.now);
      grantId = grantIdOfRequest(request);
      await (await f.consent.connect(f.patient).grantConsent(f.patient, request)).wait();
    });

    it("consumes the patient's nonce", async function () {
      const { consent, patient, relayer, deadline } = f;
      const signature = await signRevokeConsent(patient, consent, patient.address, grantId, deadline);
      await (await consent.connect(relayer).revokeConsentBySig(patient, grantId, deadline, signature)).wait();
      expect(await consent.nonces(patient.address)).to.equal(1n);
    });

    it("refuses an expired deadline", async function () {
      const { consent, patient, relayer, now } = f;
      const deadline = now + 10;
      const signature = await signRevokeConsent(patient, consent, patient.address, grantId, deadline);
      await networkHelpers.time.setNextBlockTimestamp(deadline + 1);
      await expect(consent.connect(relayer).revokeConsentBySig(patient, grantId, deadline, signature))
        .to.be.revertedWithCustomError(consent, "ConsentExpiredSignature")
        .withArgs(deadline);
    });

    it("refuses a signature by someone other than the patient", async function () {
      const { consent, patient, doctor, relayer, deadline } = f;
      const signature = await signRevokeConsent(doctor, consent, patient.address, grantId, deadline);
      await expect(consent.connect(relayer).revokeConsentBySig(patient, grantId, deadline, signature))
        .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
        .withArgs(patient.address);
      expect(await consent.isGrantActive(patient.address, grantId)).to.equal(true);
    });

    it("refuses a signature whose nonce the patient invalidated", async function () {
      const { consent, patient, relayer, deadline } = f;
      const signature = await signRevokeConsent(patient, consent, patient.address, grantId, deadline);
      await (await consent.connect(patient).invalidateNonce()).wait();
      await expect(consent.connect(relayer).revokeConsentBySig(patient, grantId, deadline, signature))
        .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
        .withArgs(patient.address);
    });

    it("refuses a signature over another grant id", async function () {
      const { consent, patient, relayer, deadline } = f;
      const signature = await signRevokeConsent(patient, consent, patient.address, commitmentOf("other"), deadline);
      await expect(consent.connect(relayer).revokeConsentBySig(patient, grantId, deadline, signature))
        .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
        .withArgs(patient.address);
    });

    it("refuses the malleable high-s twin of a valid signature", async function () {
      const { consent, patient, relayer, deadline } = f;
      const signature = await signRevokeConsent(patient, consent, patient.address, grantId, deadline);
      await expect(consent.connect(relayer).revokeConsentBySig(patient, grantId, deadline, toHighS(signature)))
        .to.be.revertedWithCustomError(consent, "ConsentInvalidSignature")
        .withArgs(patient.address);
    });
  });
});
