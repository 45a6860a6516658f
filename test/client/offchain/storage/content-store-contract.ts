import { expect } from "chai";
import { randomBytes } from "node:crypto";

import { IntegrityError, InvalidArgumentError, NotFoundError, StorageError } from "../../../../client/errors.js";
import type { ContentRef, ContentStore } from "../../../../client/storage/index.js";
import { contentRefOf } from "../../../../client/storage/index.js";
import { expectRejects } from "../helpers/expect-error.js";

/** One live store plus the backend-specific powers the contract needs. */
export interface StoreUnderTest {
  readonly store: ContentStore;
  /** Closes `store` and opens a new instance over the same backing storage. */
  reopen(): Promise<ContentStore>;
  /** Flips one byte of the stored copy of `ref` behind the store's back; absent for remote backends. */
  readonly corrupt?: (ref: ContentRef) => Promise<void>;
  /** Removes everything the harness created. */
  dispose(): Promise<void>;
}

export interface StoreHarness {
  readonly name: string;
  /** Whether a new store starts empty (false for a shared daemon: list() is checked by inclusion). */
  readonly isolated: boolean;
  create(): Promise<StoreUnderTest>;
}

/** `ipfs add --raw-leaves --cid-version=1` of the 5 bytes "hello", as Kubo prints it. */
export const HELLO_CID = "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq";
/** The same for an empty file. */
export const EMPTY_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

const TWO_MIB = 2 * 1024 * 1024;
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

async function collect(refs: AsyncIterable<ContentRef>): Promise<ContentRef[]> {
  const result: ContentRef[] = [];
  for await (const ref of refs) {
    result.push(ref);
  }
  return result;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** The behaviour every ContentStore backend must share. */
export function describeContentStoreContract(harness: StoreHarness): void {
  describe(`${harness.name} (ContentStore contract)`, function () {
    this.timeout(60_000);
    let subject: StoreUnderTest;
    let store: ContentStore;

    beforeEach(async function () {
      subject = await harness.create();
      store = subject.store;
    });

    afterEach(async function () {
      await store.close();
      await subject.dispose();
    });

    describe("put and get", function () {
      it("round-trips bytes under their content address", async function () {
        const bytes = randomBytes(1000);
        const ref = await store.put(bytes);
        expect(ref).to.equal(contentRefOf(bytes));
        expect(equalBytes(await store.get(ref), bytes)).to.equal(true);
      });

      it("addresses content exactly as Kubo does", async function () {
        expect(await store.put(encode("hello"))).to.equal(HELLO_CID);
      });

      it("is idempotent", async function () {
        const bytes = encode("same bytes twice");
        const first = await store.put(bytes);
        const second = await store.put(bytes);
        expect(second).to.equal(first);
        const listed = (await collect(store.list())).filter((ref) => ref === first);
        expect(listed).to.deep.equal([first]);
      });

      it("handles concurrent puts of the same bytes", async function () {
        const bytes = randomBytes(4096);
        const refs = await Promise.all(Array.from({ length: 8 }, () => store.put(bytes)));
        expect(new Set(refs).size).to.equal(1);
        expect(equalBytes(await store.get(refs[0]), bytes)).to.equal(true);
      });

      it("stores empty content", async function () {
        const ref = await store.put(new Uint8Array(0));
        expect(ref).to.equal(EMPTY_CID);
        expect((await store.get(ref)).length).to.equal(0);
      });

      it("stores 2 MiB of content", async function () {
        const bytes = randomBytes(TWO_MIB);
        const ref = await store.put(bytes);
        expect(equalBytes(await store.get(ref), bytes)).to.equal(true);
      });

      it("throws NotFoundError for absent content", async function () {
        const ref = contentRefOf(randomBytes(32));
        const error = await expectRejects(() => store.get(ref), NotFoundError);
        expect([error.code, error.ref]).to.deep.equal(["NOT_FOUND", ref]);
      });

      it("rejects refs that are not canonical raw sha2-256 CIDv1 strings", async function () {
        const v0 = "QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs8u";
        const dagPb = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
        const base58 = "zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA";
        for (const ref of [v0, dagPb, base58, HELLO_CID.toUpperCase(), "not a cid", ""]) {
          const error = await expectRejects(() => store.get(ref), InvalidArgumentError);
          expect(error.argument).to.equal("ref");
          await expectRejects(() => store.has(ref), InvalidArgumentError);
          await expectRejects(() => store.delete(ref), InvalidArgumentError);
        }
      });

      it("rejects values that are not bytes", async function () {
        await expectRejects(() => store.put("text" as unknown as Uint8Array), InvalidArgumentError);
      });
    });

    describe("has and delete", function () {
      it("reports presence", async function () {
        const ref = await store.put(encode("present"));
        expect(await store.has(ref)).to.equal(true);
        expect(await store.has(contentRefOf(encode("absent")))).to.equal(false);
      });

      it("deletes content, idempotently", async function () {
        const ref = await store.put(encode("to be erased"));
        await store.delete(ref);
        expect(await store.has(ref)).to.equal(false);
        await expectRejects(() => store.get(ref), NotFoundError);
        await store.delete(ref);
        await store.delete(contentRefOf(encode("never stored")));
      });

      it("stores content again after it was deleted", async function () {
        const bytes = encode("erased then restored");
        const ref = await store.put(bytes);
        await store.delete(ref);
        expect(await store.put(bytes)).to.equal(ref);
        expect(equalBytes(await store.get(ref), bytes)).to.equal(true);
      });
    });

    describe("list", function () {
      it("lists every stored ref once and drops deleted ones", async function () {
        const refs = await Promise.all(["a", "b", "c"].map((text) => store.put(encode(`list ${text}`))));
        await store.delete(refs[1]);
        const listed = await collect(store.list());
        if (harness.isolated) {
          expect([...listed].sort()).to.deep.equal([refs[0], refs[2]].sort());
        } else {
          expect(listed).to.include.members([refs[0], refs[2]]);
          expect(listed).to.not.include(refs[1]);
        }
      });

      it("lists nothing for a new store", async function () {
        if (!harness.isolated) {
          this.skip();
        }
        expect(await collect(store.list())).to.deep.equal([]);
      });
    });

    describe("integrity", function () {
      it("detects bytes corrupted on disk", async function () {
        if (subject.corrupt === undefined) {
          this.skip();
        }
        const bytes = randomBytes(2048);
        const ref = await store.put(bytes);
        await subject.corrupt(ref);
        const error = await expectRejects(() => store.get(ref), IntegrityError);
        expect([error.code, error.subject, error.expected]).to.deep.equal([
          "INTEGRITY_VIOLATION",
          "content-address",
          ref,
        ]);
        expect(error.actual).to.not.equal(ref);
      });

      it("repairs a corrupted copy when the same bytes are put again", async function () {
        if (subject.corrupt === undefined) {
          this.skip();
        }
        const bytes = randomBytes(2048);
        const ref = await store.put(bytes);
        await subject.corrupt(ref);
        expect(await store.put(bytes)).to.equal(ref);
        expect(equalBytes(await store.get(ref), bytes)).to.equal(true);
      });
    });

    describe("lifecycle", function () {
      it("keeps content across close and reopen", async function () {
        const small = encode("durable");
        const large = randomBytes(TWO_MIB);
        const refs = [await store.put(small), await store.put(large)];
        store = await subject.reopen();
        expect(equalBytes(await store.get(refs[0]), small)).to.equal(true);
        expect(equalBytes(await store.get(refs[1]), large)).to.equal(true);
        expect(await collect(store.list())).to.include.members(refs);
      });

      it("refuses every operation after close", async function () {
        const ref = await store.put(encode("closing"));
        await store.close();
        await store.close();
        for (const operation of [
          () => store.put(encode("late")),
          () => store.get(ref),
          () => store.has(ref),
          () => store.delete(ref),
          () => collect(store.list()),
        ]) {
          const error = await expectRejects(operation, StorageError);
          expect(error.reason).to.equal("closed");
        }
      });
    });
  });
}
