import { expect } from "chai";
import { mkdir, readdir, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { StorageError } from "../../../../client/errors.js";
import { LocalDiskStore } from "../../../../client/storage/index.js";
import { flipByteInFile } from "../helpers/corrupt-file.js";
import { expectRejects } from "../helpers/expect-error.js";
import { makeTempDirectory, removeDirectory } from "../helpers/temp-directory.js";
import { HELLO_CID, describeContentStoreContract } from "./content-store-contract.js";

describeContentStoreContract({
  name: "LocalDiskStore",
  isolated: true,
  async create() {
    const directory = await makeTempDirectory("local-store");
    let store = await LocalDiskStore.open(directory);
    return {
      store,
      async reopen() {
        await store.close();
        store = await LocalDiskStore.open(directory);
        return store;
      },
      corrupt: async (ref) => flipByteInFile(store.pathOf(ref)),
      dispose: async () => removeDirectory(directory),
    };
  },
});

async function collect(refs: AsyncIterable<string>): Promise<string[]> {
  const result: string[] = [];
  for await (const ref of refs) {
    result.push(ref);
  }
  return result;
}

describe("LocalDiskStore layout and crash recovery", function () {
  let directory: string;
  let store: LocalDiskStore;

  beforeEach(async function () {
    directory = await makeTempDirectory("local-layout");
    store = await LocalDiskStore.open(directory);
  });

  afterEach(async function () {
    await store.close();
    await removeDirectory(directory);
  });

  it("shards files by the first byte of their sha2-256 digest", async function () {
    const ref = await store.put(new TextEncoder().encode("hello"));
    expect(ref).to.equal(HELLO_CID);
    // sha256("hello") = 2cf24dba...
    expect(store.pathOf(ref)).to.equal(join(directory, "2c", HELLO_CID));
    expect(await readdir(join(directory, "2c"))).to.deep.equal([HELLO_CID]);
  });

  it("creates files and shard directories readable by the owner only", async function () {
    const ref = await store.put(new TextEncoder().encode("private"));
    expect((await stat(store.pathOf(ref))).mode & 0o777).to.equal(0o600);
    expect((await stat(join(store.pathOf(ref), ".."))).mode & 0o777).to.equal(0o700);
  });

  it("leaves no temp files behind after writes", async function () {
    const ref = await store.put(new TextEncoder().encode("clean"));
    const names = await readdir(join(store.pathOf(ref), ".."));
    expect(names).to.deep.equal([ref]);
  });

  it("ignores temp files and strays in list() and removes stale temp files on open", async function () {
    const ref = await store.put(new TextEncoder().encode("kept"));
    const shard = join(store.pathOf(ref), "..");
    const stale = join(shard, `.${ref}.0123456789abcdef.tmp`);
    const fresh = join(shard, `.${ref}.fedcba9876543210.tmp`);
    await writeFile(stale, "partial write from a crash");
    await writeFile(fresh, "another process is writing this now");
    const anHourAgo = new Date(Date.now() - 60 * 60 * 1000);
    await utimes(stale, anHourAgo, anHourAgo);
    await writeFile(join(shard, "README"), "stray");
    // A valid ref in the wrong shard is not content either.
    await mkdir(join(directory, "00"), { recursive: true });
    await writeFile(join(directory, "00", HELLO_CID), "misplaced");
    expect(await collect(store.list())).to.deep.equal([ref]);

    await store.close();
    store = await LocalDiskStore.open(directory);
    const names = await readdir(shard);
    expect(names).to.not.include(`.${ref}.0123456789abcdef.tmp`);
    expect(names).to.include(`.${ref}.fedcba9876543210.tmp`);
    expect(await collect(store.list())).to.deep.equal([ref]);
  });

  it("removes every temp file when the grace period is zero", async function () {
    const ref = await store.put(new TextEncoder().encode("kept"));
    const temp = join(store.pathOf(ref), "..", `.${ref}.0123456789abcdef.tmp`);
    await writeFile(temp, "partial");
    await store.close();
    store = await LocalDiskStore.open(directory, { tempFileGraceMs: 0 });
    expect(await readdir(join(store.pathOf(ref), ".."))).to.deep.equal([ref]);
  });

  it("refuses a directory written by an incompatible layout", async function () {
    await writeFile(join(directory, "careledger-store.json"), JSON.stringify({ format: "other", version: 9 }));
    const error = await expectRejects(() => LocalDiskStore.open(directory), StorageError);
    expect([error.backend, error.operation, error.reason]).to.deep.equal(["local-disk", "open", "incompatible-layout"]);
  });

  it("reports I/O failures as StorageError with the system code", async function () {
    const file = join(directory, "not-a-directory");
    await writeFile(file, "x");
    const error = await expectRejects(() => LocalDiskStore.open(join(file, "store")), StorageError);
    expect([error.backend, error.operation, error.reason, error.systemCode]).to.deep.equal([
      "local-disk",
      "open",
      "io",
      "ENOTDIR",
    ]);
  });
});
