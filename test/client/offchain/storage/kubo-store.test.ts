import { expect } from "chai";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { StorageError } from "../../../../client/errors.js";
import type { ContentRef, ContentStore } from "../../../../client/storage/index.js";
import { DEFAULT_KUBO_URL, KUBO_URL_ENV, KuboStore, kuboUrlFromEnvironment } from "../../../../client/storage/index.js";
import { expectRejects } from "../helpers/expect-error.js";
import { describeContentStoreContract } from "./content-store-contract.js";

const KUBO_URL = kuboUrlFromEnvironment();

async function kuboAnswers(url: string): Promise<boolean> {
  try {
    const store = await KuboStore.connect({ url, timeoutMs: 2_000 });
    await store.close();
    return true;
  } catch {
    return false;
  }
}

/** Removes what the tests put, since a daemon is shared and outlives the test run. */
function tracking(store: ContentStore, written: Set<ContentRef>): ContentStore {
  return {
    put: async (bytes) => {
      const ref = await store.put(bytes);
      written.add(ref);
      return ref;
    },
    get: async (ref) => store.get(ref),
    has: async (ref) => store.has(ref),
    delete: async (ref) => store.delete(ref),
    list: () => store.list(),
    close: async () => store.close(),
  };
}

if (await kuboAnswers(KUBO_URL)) {
  describeContentStoreContract({
    name: `KuboStore at ${KUBO_URL}`,
    isolated: false,
    async create() {
      const written = new Set<ContentRef>();
      let store = tracking(await KuboStore.connect({ url: KUBO_URL }), written);
      return {
        store,
        async reopen() {
          await store.close();
          store = tracking(await KuboStore.connect({ url: KUBO_URL }), written);
          return store;
        },
        async dispose() {
          const cleaner = await KuboStore.connect({ url: KUBO_URL });
          for (const ref of written) {
            await cleaner.delete(ref);
          }
          await cleaner.close();
        },
      };
    },
  });
} else {
  describe("KuboStore (ContentStore contract)", function () {
    it.skip(`skipped: no Kubo daemon answered at ${KUBO_URL} (start \`ipfs daemon\` or set ${KUBO_URL_ENV})`, function () {
      // Runs only against a live daemon.
    });
  });
}

describe("KuboStore connection handling", function () {
  this.timeout(20_000);

  it("defaults to the local daemon and honours CARELEDGER_KUBO_URL", function () {
    const saved = process.env[KUBO_URL_ENV];
    try {
      delete process.env[KUBO_URL_ENV];
      expect(kuboUrlFromEnvironment()).to.equal(DEFAULT_KUBO_URL);
      process.env[KUBO_URL_ENV] = "http://127.0.0.1:15001";
      expect(kuboUrlFromEnvironment()).to.equal("http://127.0.0.1:15001");
    } finally {
      if (saved === undefined) {
        delete process.env[KUBO_URL_ENV];
      } else {
        process.env[KUBO_URL_ENV] = saved;
      }
    }
  });

  it("reports a port with nothing listening as unavailable", async function () {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await expectRejects(() => KuboStore.connect({ url: `http://127.0.0.1:${port}` }), StorageError);
    expect([error.backend, error.operation, error.reason]).to.deep.equal(["kubo", "open", "unavailable"]);
  });

  it("reports an HTTP server that is not Kubo as unavailable", async function () {
    const server = createServer((_request, response) => {
      response.writeHead(404, { connection: "close" }).end("not here");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const error = await expectRejects(() => KuboStore.connect({ url: `http://127.0.0.1:${port}` }), StorageError);
      expect([error.backend, error.operation, error.reason]).to.deep.equal(["kubo", "open", "unavailable"]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
