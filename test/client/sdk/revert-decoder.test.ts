import { expect } from "chai";
import { Interface, TypedDataEncoder, Wallet, id, makeError, type ErrorFragment, type ParamType } from "ethers";
import { network } from "hardhat";

import {
  CARELEDGER_INTERFACES,
  CONTRACT_NAMES,
  ContractRevertError,
  UNLOCK_EIP712_TYPES,
  decodeRevert,
  decodeRevertData,
  deployCareLedger,
} from "../../../client/index.js";

/** A sample value of an ABI type, for encoding test errors. */
function sample(param: ParamType): unknown {
  if (param.baseType === "array") return [sample(param.arrayChildren as ParamType)];
  if (param.baseType === "tuple") return (param.components ?? []).map((component) => sample(component));
  if (param.type === "address") return "0x00000000000000000000000000000000000000a1";
  if (param.type === "bool") return true;
  if (param.type === "string") return "reason";
  if (param.type.startsWith("bytes32")) return id(param.name || "value");
  if (param.type.startsWith("bytes")) return "0x1234";
  if (param.type.startsWith("uint") || param.type.startsWith("int")) return 7n;
  throw new Error(`no sample for ${param.type}`);
}

function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => normalise(item));
  if (typeof value === "string") return value.toLowerCase();
  return value;
}

describe("revert decoder", function () {
  describe("decodeRevertData", function () {
    for (const contract of CONTRACT_NAMES) {
      it(`decodes every custom error of the ${contract} ABI with its arguments`, function () {
        const iface = CARELEDGER_INTERFACES[contract];
        const fragments: ErrorFragment[] = [];
        iface.forEachError((fragment) => fragments.push(fragment));
        expect(fragments.length).to.be.greaterThan(0);
        for (const fragment of fragments) {
          const values = fragment.inputs.map((input) => sample(input));
          const data = iface.encodeErrorResult(fragment, values);
          const decoded = decodeRevertData(data);
          expect(decoded, fragment.name).to.be.instanceOf(ContractRevertError);
          expect(decoded?.errorName).to.equal(fragment.name);
          expect(decoded?.selector).to.equal(fragment.selector);
          expect(normalise(decoded?.args)).to.deep.equal(normalise(values));
        }
      });
    }

    it("decodes Error(string) and Panic(uint256)", function () {
      const standard = new Interface(["error Error(string)", "error Panic(uint256)"]);
      const error = decodeRevertData(standard.encodeErrorResult("Error", ["no"]));
      expect(error).to.include({ errorName: "Error", contract: "unknown" });
      expect(error?.args).to.deep.equal(["no"]);
      const panic = decodeRevertData(standard.encodeErrorResult("Panic", [0x11]));
      expect(panic?.errorName).to.equal("Panic");
      expect(panic?.args).to.deep.equal([0x11n]);
    });

    it("returns undefined for unknown selectors and for data too short to hold one", function () {
      expect(decodeRevertData("0xdeadbeef")).to.equal(undefined);
      expect(decodeRevertData("0x12")).to.equal(undefined);
      expect(decodeRevertData("not hex")).to.equal(undefined);
    });
  });

  describe("decodeRevert", function () {
    const data = CARELEDGER_INTERFACES.registry.encodeErrorResult("RecordRegistryNotFound", [
      Wallet.createRandom().address,
      id("commitment"),
    ]);

    it("finds revert data in an ethers CallExceptionError", function () {
      const error = makeError("execution reverted", "CALL_EXCEPTION", {
        action: "estimateGas",
        data,
        reason: null,
        transaction: { to: null, from: undefined, data: "0x" },
        invocation: null,
        revert: null,
      });
      expect(decodeRevert(error)?.errorName).to.equal("RecordRegistryNotFound");
    });

    it("finds revert data nested in a JSON-RPC error body", function () {
      const error = { error: { code: 3, message: "execution reverted", data } };
      expect(decodeRevert({ info: error })?.errorName).to.equal("RecordRegistryNotFound");
      expect(decodeRevert({ body: JSON.stringify({ error: { data } }) })?.errorName).to.equal("RecordRegistryNotFound");
    });

    it("never mistakes the transaction's calldata for revert data", function () {
      const calldata = `${CARELEDGER_INTERFACES.registry.getError("RecordRegistryNotFound")?.selector}${"00".repeat(64)}`;
      expect(decodeRevert({ transaction: { data: calldata } })).to.equal(undefined);
    });

    it("decodes what the in-process network throws for a real revert", async function () {
      const { ethers } = await network.create();
      const [admin, stranger] = await ethers.getSigners();
      const contracts = await deployCareLedger(admin);
      let caught: unknown;
      try {
        await contracts.consent.connect(stranger).addAccessSource(stranger.address);
      } catch (error) {
        caught = error;
      }
      const decoded = decodeRevert(caught);
      expect(decoded?.errorName).to.equal("AccessControlUnauthorizedAccount");
      expect(decoded?.args[0]).to.equal(stranger.address);
    });
  });

  describe("EIP-712 tables", function () {
    it("match the contracts' typehashes", async function () {
      const { ethers } = await network.create();
      const [admin] = await ethers.getSigners();
      const contracts = await deployCareLedger(admin);
      const encoded = TypedDataEncoder.from({ Unlock: UNLOCK_EIP712_TYPES.Unlock.map((field) => ({ ...field })) });
      expect(id(encoded.encodeType("Unlock"))).to.equal(await contracts.relationships.UNLOCK_TYPEHASH());
    });
  });
});
