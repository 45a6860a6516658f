#!/usr/bin/env node
// Line AND branch coverage of contracts/ (not contracts/test), which Hardhat's `--coverage` does not
// report. Runs `forge coverage` (npm `@foundry-rs/forge`, configured by foundry.toml) over the same
// `*.t.sol` tests Hardhat runs. No native solc exists here, so this first writes the executable shim
// foundry.toml names (cache/forge/solc), which runs the project's solc-js through
// scripts/solc-js-as-native.mjs. Extra arguments go to forge (e.g. `-- --match-path 'contracts/test/Lab*'`).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

const shim = path.join(root, "cache", "forge", "solc");
const wrapper = path.join(root, "scripts", "solc-js-as-native.mjs");
mkdirSync(path.dirname(shim), { recursive: true });
writeFileSync(shim, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(wrapper)} "$@"\n`);
chmodSync(shim, 0o755);

const forge = path.join(path.dirname(require.resolve("@foundry-rs/forge/package.json")), "bin.mjs");
const args = [
  forge,
  "coverage",
  "--report",
  "summary",
  "--report",
  "lcov",
  "--lcov-version",
  "2",
  "--report-file",
  path.join("coverage", "forge-lcov.info"),
  "--no-match-coverage",
  "contracts/test",
  ...process.argv.slice(2),
];
mkdirSync(path.join(root, "coverage"), { recursive: true });
const run = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
if (run.error) throw run.error;

// Forge prints every test and fuzz table first; keep failures and the coverage table.
const lines = `${run.stdout}${run.stderr}`.split("\n");
const table = lines.filter((line) => /^[|╭╰+]/.test(line) && /File|contracts\/|Total|^[+╭╰]/.test(line));
const coverage = table.filter((line) => /File|contracts\/|Total/.test(line));
const failures = lines.filter((line) => /\[FAIL|Error|error\[/.test(line));
if (failures.length > 0) process.stdout.write(`${failures.join("\n")}\n\n`);
if (coverage.length > 0) {
  process.stdout.write(`Line and branch coverage of contracts/ (forge coverage, solc-js ${wrapperVersion()}):\n`);
  process.stdout.write(`${coverage.join("\n")}\n`);
  process.stdout.write("lcov: coverage/forge-lcov.info\n");
} else {
  process.stdout.write(`${run.stdout}${run.stderr}`);
}
// Forge can report a failed compilation and still exit 0: no table, or any failure, is a failure.
process.exit(run.status === 0 && coverage.length > 0 && failures.length === 0 ? 0 : (run.status ?? 1) || 1);

function wrapperVersion() {
  return require("solc/package.json").version;
}
