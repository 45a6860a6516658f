import { expect } from "chai";
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";

import { writeFileAtomic, writeJsonFileAtomic } from "../../../../client/storage/index.js";
import { makeTempDirectory, removeDirectory } from "../helpers/temp-directory.js";

describe("atomic file writes", function () {
  let directory: string;

  beforeEach(async function () {
    directory = await makeTempDirectory("atomic");
  });

  afterEach(async function () {
    await removeDirectory(directory);
  });

  it("writes a new file owner-only and leaves no temp file", async function () {
    const path = join(directory, "state.bin");
    await writeFileAtomic(path, Uint8Array.from([1, 2, 3]));
    expect([...(await readFile(path))]).to.deep.equal([1, 2, 3]);
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
    expect(await readdir(directory)).to.deep.equal(["state.bin"]);
  });

  it("replaces an existing file whole", async function () {
    const path = join(directory, "state.bin");
    await writeFileAtomic(path, new Uint8Array(1000).fill(7));
    await writeFileAtomic(path, Uint8Array.from([9]));
    expect([...(await readFile(path))]).to.deep.equal([9]);
    expect(await readdir(directory)).to.deep.equal(["state.bin"]);
  });

  it("honours an explicit mode", async function () {
    const path = join(directory, "public.json");
    await writeFileAtomic(path, Uint8Array.from([1]), { mode: 0o644 });
    expect((await stat(path)).mode & 0o777).to.equal(0o644 & ~process.umask());
  });

  it("fails with the system error and leaves nothing behind when the directory is missing", async function () {
    let code: unknown;
    try {
      await writeFileAtomic(join(directory, "missing", "state.bin"), Uint8Array.from([1]));
    } catch (error) {
      code = (error as NodeJS.ErrnoException).code;
    }
    expect(code).to.equal("ENOENT");
    expect(await readdir(directory)).to.deep.equal([]);
  });

  it("writes JSON with a trailing newline", async function () {
    const path = join(directory, "config.json");
    await writeJsonFileAtomic(path, { network: "localhost", chainId: 31337 });
    const text = await readFile(path, "utf8");
    expect(text.endsWith("}\n")).to.equal(true);
    expect(JSON.parse(text)).to.deep.equal({ network: "localhost", chainId: 31337 });
  });
});
