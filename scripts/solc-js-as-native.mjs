#!/usr/bin/env node
// Makes the solc-js compiler (the `solc` npm package, the one Hardhat uses here) answer like the
// native `solc` binary, for tools that need one (forge): `--version`, and `--standard-json` reading
// the input from stdin and writing the output to stdout. Other flags forge passes (`--allow-paths`,
// `--base-path`, `--include-path`) only matter for imports read from disk; forge inlines every source
// in the standard JSON, and a missing one is resolved here relative to the working directory.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const solc = require("solc");

const args = process.argv.slice(2);

if (args.includes("--version") || args.includes("-v")) {
  // Same shape as the native binary's banner; forge reads the "Version:" line.
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}

if (!args.includes("--standard-json")) {
  process.stderr.write(
    `solc-js-as-native: only --version and --standard-json are supported (got: ${args.join(" ")})\n`,
  );
  process.exit(2);
}

function flagValues(name) {
  const values = [];
  args.forEach((arg, i) => {
    if (arg === name && args[i + 1]) values.push(...args[i + 1].split(","));
    else if (arg.startsWith(`${name}=`)) values.push(...arg.slice(name.length + 1).split(","));
  });
  return values;
}
const roots = [process.cwd(), ...flagValues("--base-path"), ...flagValues("--include-path")];

function findImports(importPath) {
  for (const root of roots) {
    try {
      return { contents: readFileSync(path.resolve(root, importPath), "utf8") };
    } catch {
      // try the next root
    }
  }
  return { error: `File not found: ${importPath}` };
}

const input = readFileSync(0, "utf8");
process.stdout.write(solc.compile(input, { import: findImports }));
