import { unixfs } from "@helia/unixfs";
import { expect } from "chai";
import { createHeliaLight } from "helia";
import { randomBytes } from "node:crypto";

import { HeliaStore, LocalDiskStore, contentRefOf } from "../../../../client/storage/index.js";
import { makeTempDirectory, removeDirectory } from "../helpers/temp-directory.js";

/** Kubo's default chunker, `size-262144`. */
const KUBO_CHUNK_SIZE = 262_144;

async function* fixedSizeChunks(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let pending = new Uint8Array(0);
  let emitted = false;
  for await (const piece of source) {
    const joined = new Uint8Array(pending.length + piece.length);
    joined.set(pending);
    joined.set(piece, pending.length);
    pending = joined;
    while (pending.length >= KUBO_CHUNK_SIZE) {
      yield pending.slice(0, KUBO_CHUNK_SIZE);
      emitted = true;
      pending = pending.slice(KUBO_CHUNK_SIZE);
    }
  }
  if (pending.length > 0 || !emitted) {
    yield pending;
  }
}

describe("content refs across backends", function () {
  this.timeout(60_000);

  const samples: ReadonlyArray<readonly [string, Uint8Array]> = [
    ["empty", new Uint8Array(0)],
    ["5 bytes", new TextEncoder().encode("hello")],
    ["a sealed-record-sized blob", randomBytes(8_000)],
    ["exactly one Kubo chunk", randomBytes(KUBO_CHUNK_SIZE)],
    ["one byte over a Kubo chunk", randomBytes(KUBO_CHUNK_SIZE + 1)],
    ["2 MiB", randomBytes(2 * 1024 * 1024)],
  ];

  it("are identical for LocalDiskStore and HeliaStore", async function () {
    const localDirectory = await makeTempDirectory("cross-local");
    const heliaDirectory = await makeTempDirectory("cross-helia");
    const local = await LocalDiskStore.open(localDirectory);
    const helia = await HeliaStore.open(heliaDirectory);
    try {
      for (const [, bytes] of samples) {
        const fromLocal = await local.put(bytes);
        const fromHelia = await helia.put(bytes);
        expect(fromHelia).to.equal(fromLocal);
        expect(fromLocal).to.equal(contentRefOf(bytes));
      }
    } finally {
      await local.close();
      await helia.close();
      await removeDirectory(localDirectory);
      await removeDirectory(heliaDirectory);
    }
  });

  it("equal the CID of `ipfs add --raw-leaves --cid-version=1` up to one chunk, and differ above", async function () {
    // @helia/unixfs runs the same UnixFS importer algorithm as Kubo; configured like
    // Kubo's defaults it yields the CID Kubo would print.
    const node = createHeliaLight();
    await node.start();
    try {
      const fs = unixfs(node);
      for (const [title, bytes] of samples) {
        const added = (
          await fs.addBytes(bytes, { cidVersion: 1, rawLeaves: true, chunker: fixedSizeChunks })
        ).toString();
        if (bytes.length <= KUBO_CHUNK_SIZE) {
          expect(added, title).to.equal(contentRefOf(bytes));
        } else {
          // Above one chunk `ipfs add` returns a dag-pb UnixFS root, not the raw block.
          expect(added, title).to.not.equal(contentRefOf(bytes));
          expect(added.startsWith("bafybei"), title).to.equal(true);
        }
      }
    } finally {
      await node.stop();
    }
  });
});
