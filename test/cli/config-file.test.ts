import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import type { CliIo } from "../../cli/output.js";
import { run } from "../../cli/program.js";

/** Runs one command line and returns its exit code and what it printed to stderr. */
async function cli(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const io: CliIo = {
    stdout: { write: () => true },
    stderr: {
      write: (text: string) => {
        stderr += text;
        return true;
      },
    },
  };
  const code = await run(argv, io);
  return { code, stderr };
}

async function dataDirWith(config: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "careledger-config-"));
  await writeFile(join(dir, "careledger.json"), config);
  return dir;
}

describe("CLI config file", function () {
  it("refuses an unknown setting in one plain sentence and a non-zero exit", async function () {
    const dir = await dataDirWith(JSON.stringify({ rpc: "http://127.0.0.1:1", colour: "blue" }));
    const { code, stderr } = await cli(["--data-dir", dir, "records", "list"]);
    expect(code).to.not.equal(0);
    expect(stderr).to.match(/unknown setting "colour"/);
    expect(stderr.trim().split("\n")).to.have.length(1);
  });

  it("refuses a file that is not JSON, or not one object", async function () {
    for (const text of ["{not json", "[1,2]", "42"]) {
      const dir = await dataDirWith(text);
      const { code, stderr } = await cli(["--data-dir", dir, "records", "list"]);
      expect(code, text).to.not.equal(0);
      expect(stderr, text).to.match(/config file .* (is not valid JSON|must hold one JSON object)/);
    }
  });

  it("refuses a threshold that is not a whole number from 1 to 16", async function () {
    for (const value of [0, 17, 1.5, "2"]) {
      const dir = await dataDirWith(JSON.stringify({ custodianThreshold: value }));
      const { code, stderr } = await cli(["--data-dir", dir, "records", "list"]);
      expect(code, String(value)).to.not.equal(0);
      expect(stderr, String(value)).to.match(/custodianThreshold must be a whole number/);
    }
  });

  it("fails when an explicit --config cannot be read, and ignores a missing default file", async function () {
    const missing = await cli(["--config", join(tmpdir(), "careledger-no-such-config.json"), "records", "list"]);
    expect(missing.code).to.not.equal(0);
    expect(missing.stderr).to.match(/config file .* cannot be read/);

    const empty = await mkdtemp(join(tmpdir(), "careledger-config-"));
    const withoutFile = await cli(["--data-dir", empty, "--deployment", join(empty, "none.json"), "records", "list"]);
    expect(withoutFile.code).to.not.equal(0);
    expect(withoutFile.stderr).to.not.match(/config file/);
  });

  it("takes settings from the file when no flag gives them, and a flag wins over the file", async function () {
    const dir = await dataDirWith(JSON.stringify({ deployment: join(tmpdir(), "from-config-file.json") }));
    const fromFile = await cli(["--data-dir", dir, "records", "list"]);
    expect(fromFile.stderr).to.include("from-config-file.json");
    const flag = await cli(["--data-dir", dir, "--deployment", join(tmpdir(), "from-flag.json"), "records", "list"]);
    expect(flag.stderr).to.include("from-flag.json");
    expect(flag.stderr).to.not.include("from-config-file.json");
  });
});
