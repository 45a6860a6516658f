import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

// Hardhat cannot download compilers on air-gapped build machines, so we compile with the
// solc-js build shipped in the `solc` npm package, pinned in package.json.
const require = createRequire(import.meta.url);
const SOLC_PATH = require.resolve("solc/soljson.js");
const SOLC_VERSION: string = (require("solc/package.json") as { version: string }).version;

/**
 * The one compiler configuration, used by the default profile (tests, benchmarks, coverage) and by
 * the production profile (deployment): the bytecode that is deployed is the bytecode that was tested.
 */
const COMPILER = {
  version: SOLC_VERSION,
  path: SOLC_PATH,
  settings: {
    optimizer: { enabled: true, runs: 10_000 },
    evmVersion: "cancun",
    viaIR: true,
  },
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    profiles: {
      default: COMPILER,
      production: COMPILER,
    },
  },
  typechain: { outDir: "typechain-types" },
  paths: {
    tests: { mocha: "test", solidity: "contracts/test" },
  },
  test: {
    mocha: { timeout: 120_000 },
    solidity: {
      // Hardhat's default seed is fixed, so CI runs are reproducible. A deeper nightly profile:
      // `npx hardhat test solidity --test-profile deep`.
      profiles: {
        default: {
          fuzz: { runs: 256 },
          invariant: { runs: 32, depth: 60, failOnRevert: true, shrinkRunLimit: 1000 },
        },
        deep: {
          fuzz: { runs: 5000 },
          invariant: { runs: 256, depth: 200, failOnRevert: true, shrinkRunLimit: 5000 },
        },
      },
    },
  },
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1" },
    // CARELEDGER_LOCALHOST_URL points the local network at another port (the tests start their own node).
    localhost: { type: "http", url: process.env.CARELEDGER_LOCALHOST_URL ?? "http://127.0.0.1:8545" },
    custom: {
      type: "http",
      url: configVariable("CARELEDGER_RPC_URL"),
      accounts: [configVariable("CARELEDGER_DEPLOYER_KEY")],
    },
  },
});
