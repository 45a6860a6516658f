// One deployment plan (client/deployment-plan.ts), two deployers: Hardhat Ignition's module for
// persistent networks and the SDK's deployCareLedger for tests, benchmarks and the demo. Both are
// run on the same in-process chain and must produce the same deployment: the same code for every
// contract (with each deployment's own addresses named), the same constructor wiring, the same
// roles and access sources.
import { expect } from "chai";
import { Contract, TypedDataEncoder, type BaseContract, type Provider } from "ethers";
import { network } from "hardhat";

import { deployCareLedger, type CareLedgerContracts } from "../../client/deploy.js";
import {
  ACCESS_SOURCES,
  CONTRACT_NAMES,
  DEPLOYMENT_PLAN,
  WORKFLOW_CONTRACTS,
  type ContractName,
} from "../../client/deployment-plan.js";
import CareLedgerModule from "../../ignition/modules/CareLedger.js";

const { ethers, ignition } = await network.create();

type Addresses = Record<ContractName, string>;

async function addressesOf(contracts: Record<ContractName, BaseContract>): Promise<Addresses> {
  const entries = await Promise.all(CONTRACT_NAMES.map(async (name) => [name, await contracts[name].getAddress()]));
  return Object.fromEntries(entries) as Addresses;
}

/**
 * A contract's runtime code with every address of its own deployment replaced by that contract's
 * name, and its cached EIP-712 domain separator (an immutable that hashes its own address) by a tag.
 */
async function namedCode(provider: Provider, addresses: Addresses, name: ContractName): Promise<string> {
  let code = (await provider.getCode(addresses[name])).toLowerCase();
  const signing = new Contract(
    addresses[name],
    ["function eip712Domain() view returns (bytes1, string, string, uint256, address, bytes32, uint256[])"],
    provider,
  );
  const domain = await signing.eip712Domain().then(
    ([, name, version, chainId, verifyingContract]: [string, string, string, bigint, string]) =>
      TypedDataEncoder.hashDomain({ name, version, chainId, verifyingContract }),
    () => undefined,
  );
  if (domain !== undefined) code = code.replaceAll(domain.slice(2), "<eip712-domain>");
  for (const other of CONTRACT_NAMES) code = code.replaceAll(addresses[other].slice(2).toLowerCase(), `<${other}>`);
  return code;
}

/** The wiring as names: who holds the registry's workflow role, and the consent manager's access sources. */
async function wiringOf(contracts: CareLedgerContracts, addresses: Addresses) {
  const nameOf = (address: string) => CONTRACT_NAMES.find((name) => addresses[name] === address) ?? address;
  const workflowRole = await contracts.registry.WORKFLOW_ROLE();
  const workflows: string[] = [];
  for (const name of CONTRACT_NAMES) {
    if (await contracts.registry.hasRole(workflowRole, addresses[name])) workflows.push(name);
  }
  return {
    workflows,
    // Ignition sends independent calls in batches, so the order of sources may differ; the set may not.
    accessSources: (await contracts.consent.accessSources()).map(nameOf).sort(),
    registrar: await contracts.directory.hasRole(await contracts.directory.REGISTRAR_ROLE(), await deployerAddress()),
  };
}

async function deployerAddress(): Promise<string> {
  return (await ethers.getSigners())[0].address;
}

describe("deployment plan: Ignition and the SDK deploy the same thing", function () {
  it("every contract has the same code and wiring whichever deployer ran the plan", async function () {
    const [deployer] = await ethers.getSigners();
    const viaSdk = await deployCareLedger(deployer);
    const viaIgnition = (await ignition.deploy(CareLedgerModule)) as unknown as CareLedgerContracts;
    const sdkAddresses = await addressesOf(viaSdk);
    const ignitionAddresses = await addressesOf(viaIgnition);

    expect(Object.keys(viaIgnition).sort()).to.deep.equal([...CONTRACT_NAMES].sort());
    for (const name of CONTRACT_NAMES) {
      const sdkCode = await namedCode(ethers.provider, sdkAddresses, name);
      expect(sdkCode.length, `${name} has code`).to.be.greaterThan(2);
      expect(await namedCode(ethers.provider, ignitionAddresses, name), name).to.equal(sdkCode);
    }
    const sdkWiring = await wiringOf(viaSdk, sdkAddresses);
    expect(sdkWiring).to.deep.equal({
      workflows: [...WORKFLOW_CONTRACTS],
      accessSources: [...ACCESS_SOURCES].sort(),
      registrar: true,
    });
    expect(await wiringOf(viaIgnition, ignitionAddresses)).to.deep.equal(sdkWiring);
  });

  it("the plan names each contract once, and refers only to contracts deployed before it", function () {
    expect(DEPLOYMENT_PLAN.map((planned) => planned.name)).to.deep.equal([...CONTRACT_NAMES]);
    DEPLOYMENT_PLAN.forEach((planned, index) => {
      for (const arg of planned.args) {
        if (typeof arg !== "string") continue;
        expect(CONTRACT_NAMES.indexOf(arg), `${planned.name} takes ${arg}`).to.be.lessThan(index);
      }
    });
  });
});
