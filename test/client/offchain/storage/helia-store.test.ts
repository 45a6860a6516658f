import { expect } from "chai";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

import { HeliaStore } from "../../../../client/storage/index.js";
import { flipByteInFile } from "../helpers/corrupt-file.js";
import { makeTempDirectory, removeDirectory } from "../helpers/temp-directory.js";
import { HELLO_CID, describeContentStoreContract } from "./content-store-contract.js";

describeContentStoreContract({
  name: "HeliaStore",
  isolated: true,
  async create() {
    const directory = await makeTempDirectory("helia-store");
    let store = await HeliaStore.open(directory);
    return {
      store,
      async reopen() {
        await store.close();
        store = await HeliaStore.open(directory);
        return store;
      },
      corrupt: async (ref) => flipByteInFile(store.blockPathOf(ref)),
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

describe("HeliaStore on disk", function () {
  this.timeout(30_000);
  let directory: string;
  let store: HeliaStore;

  beforeEach(async function () {
    directory = await makeTempDirectory("helia-layout");
    store = await HeliaStore.open(directory);
  });

  afterEach(async function () {
    await store.close();
    await removeDirectory(directory);
  });

  it("keeps blocks in blockstore-fs's Kubo-compatible layout", async function () {
    const ref = await store.put(new TextEncoder().encode("hello"));
    expect(ref).to.equal(HELLO_CID);
    const path = store.blockPathOf(ref);
    expect(path.startsWith(join(directory, "blocks"))).to.equal(true);
    expect(path.endsWith(".data")).to.equal(true);
    expect(await readdir(dirname(path))).to.deep.equal([path.slice(dirname(path).length + 1)]);
  });

  it("ignores temp files and stray files in list()", async function () {
    const ref = await store.put(new TextEncoder().encode("listed"));
    const shard = dirname(store.blockPathOf(ref));
    await writeFile(join(shard, ".leftover.0123456789abcdef.tmp"), "partial");
    await writeFile(join(shard, "NOTABLOCK.data"), "stray");
    await mkdir(join(directory, "blocks", "ZZ"), { recursive: true });
    await writeFile(join(directory, "blocks", "README"), "stray");
    expect(await collect(store.list())).to.deep.equal([ref]);
  });

  it("keeps pins in its datastore across restarts so deletes still unpin", async function () {
    const ref = await store.put(new TextEncoder().encode("pinned"));
    await store.close();
    store = await HeliaStore.open(directory);
    await store.delete(ref);
    expect(await store.has(ref)).to.equal(false);
    expect(await collect(store.list())).to.deep.equal([]);
  });
});
