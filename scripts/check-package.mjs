// Packs the package as npm would publish it and checks the tarball: publint (package.json against
// the files actually packed) and Are The Types Wrong (every entry resolves to JavaScript and types
// under Node's ESM resolution and bundlers). Exits non-zero on any problem.
//   node scripts/check-package.mjs [--out <dir>]   leaves the tarball in <dir> (default: a temp dir)
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outIndex = process.argv.indexOf("--out");
const out = outIndex > 0 ? process.argv[outIndex + 1] : mkdtempSync(join(tmpdir(), "careledger-pack-"));
mkdirSync(out, { recursive: true });

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
// `npm pack` runs the prepack script, which builds dist/ from the current sources.
const packed = JSON.parse(
  execFileSync(npm, ["pack", "--json", "--pack-destination", out], { cwd: root, encoding: "utf8" }),
);
const tarball = join(out, packed[0].filename);
const bin = (pkg, name) => join(root, "node_modules", pkg, name);
execFileSync(process.execPath, [bin("publint", "src/cli.js"), "--strict"], { cwd: root, stdio: "inherit" });
execFileSync(process.execPath, [bin("@arethetypeswrong/cli", "dist/index.js"), tarball, "--profile", "esm-only"], {
  cwd: root,
  stdio: "inherit",
});
console.log(`checked ${tarball} (${packed[0].entryCount} files, ${packed[0].size} bytes)`);
