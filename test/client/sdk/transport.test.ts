import { expect } from "chai";
import { makeError, type Provider } from "ethers";

import { CARELEDGER_INTERFACES, RpcUnavailableError, isTransientRpcError } from "../../../client/index.js";
import { accountNonces, isNonceConflict } from "../../../client/sdk/transport/nonce-manager.js";
import { Semaphore } from "../../../client/sdk/transport/mutex.js";
import { withRetry } from "../../../client/sdk/transport/retry.js";

const FAST = { retries: 3, baseDelayMs: 1, maxDelayMs: 2 };

function serverError(status: string): Error {
  return makeError("server response failed", "SERVER_ERROR", {
    request: "http://127.0.0.1:8545",
    info: { responseStatus: status },
  });
}

describe("transport", function () {
  describe("isTransientRpcError", function () {
    it("retries network errors, timeouts, HTTP 5xx and 429, and socket failures", function () {
      expect(isTransientRpcError(makeError("down", "NETWORK_ERROR", { event: "x" }))).to.equal(true);
      expect(isTransientRpcError(makeError("slow", "TIMEOUT", { operation: "x", reason: "timeout" }))).to.equal(true);
      expect(isTransientRpcError(serverError("503 Service Unavailable"))).to.equal(true);
      expect(isTransientRpcError(serverError("429 Too Many Requests"))).to.equal(true);
      const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      expect(isTransientRpcError(new TypeError("fetch failed", { cause: reset }))).to.equal(true);
    });

    it("never retries a revert, a bad request, or a nonce problem", function () {
      const data = CARELEDGER_INTERFACES.consent.encodeErrorResult("ConsentGrantNotFound", [
        "0x00000000000000000000000000000000000000a1",
        `0x${"11".repeat(32)}`,
      ]);
      expect(isTransientRpcError({ data })).to.equal(false);
      expect(
        isTransientRpcError(
          makeError("reverted", "CALL_EXCEPTION", {
            action: "call",
            data: null,
            reason: null,
            transaction: { to: null, from: undefined, data: "0x" },
            invocation: null,
            revert: null,
          }),
        ),
      ).to.equal(false);
      expect(isTransientRpcError(serverError("400 Bad Request"))).to.equal(false);
      expect(isTransientRpcError(makeError("nonce", "NONCE_EXPIRED", { transaction: {} }))).to.equal(false);
    });
  });

  describe("withRetry", function () {
    it("repeats a transient failure until it succeeds", async function () {
      let calls = 0;
      const result = await withRetry("probe", FAST, async () => {
        calls++;
        if (calls < 3) throw serverError("503 Service Unavailable");
        return "ok";
      });
      expect(result).to.equal("ok");
      expect(calls).to.equal(3);
    });

    it("gives up with RpcUnavailableError naming the operation and the attempts", async function () {
      let calls = 0;
      try {
        await withRetry("probe", FAST, async () => {
          calls++;
          throw serverError("503 Service Unavailable");
        });
        expect.fail("should have thrown");
      } catch (error) {
        expect(error).to.be.instanceOf(RpcUnavailableError);
        expect(error).to.include({ operation: "probe", attempts: 4 });
      }
      expect(calls).to.equal(4);
    });

    it("throws anything else at once", async function () {
      let calls = 0;
      const boom = new RangeError("bad");
      try {
        await withRetry("probe", FAST, async () => {
          calls++;
          throw boom;
        });
      } catch (error) {
        expect(error).to.equal(boom);
      }
      expect(calls).to.equal(1);
    });
  });

  describe("account nonces", function () {
    const provider = {} as Provider;

    it("hands out consecutive nonces to concurrent sends, reading the count once", async function () {
      const nonces = accountNonces(provider, "0x00000000000000000000000000000000000000b1");
      let reads = 0;
      const used = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          nonces.use(
            async (nonce) => {
              // Fixed, uneven delays: the sends finish out of order, the same way on every run.
              await new Promise((resolve) => setTimeout(resolve, (i * 3) % 5));
              return { result: nonce, outcome: "consumed" as const };
            },
            async () => {
              reads++;
              return 40;
            },
          ),
        ),
      );
      expect(used).to.deep.equal([40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
      expect(reads).to.equal(1);
    });

    it("re-reads the count after a nonce conflict and retries", async function () {
      const nonces = accountNonces(provider, "0x00000000000000000000000000000000000000b2");
      const chain = { count: 5 };
      const sent: number[] = [];
      await nonces.use(
        async (nonce) => ({ result: nonce, outcome: "consumed" as const }),
        async () => chain.count,
      );
      chain.count = 9; // another process sent meanwhile
      const result = await nonces.use(
        async (nonce) => {
          if (nonce < chain.count) throw makeError("nonce too low", "NONCE_EXPIRED", { transaction: {} });
          sent.push(nonce);
          return { result: nonce, outcome: "consumed" as const };
        },
        async () => chain.count,
      );
      expect(result).to.equal(9);
      expect(sent).to.deep.equal([9]);
    });

    it("does not consume a nonce when the send failed before the node took it", async function () {
      const nonces = accountNonces(provider, "0x00000000000000000000000000000000000000b3");
      const first = await nonces.use(
        async (nonce) => ({ result: nonce, outcome: "unused" as const }),
        async () => 3,
      );
      const second = await nonces.use(
        async (nonce) => ({ result: nonce, outcome: "consumed" as const }),
        async () => 3,
      );
      expect([first, second]).to.deep.equal([3, 3]);
    });

    it("recognises the nodes' nonce-conflict messages", function () {
      expect(isNonceConflict(new Error("Nonce too low. Expected nonce to be 5 but got 3."))).to.equal(true);
      expect(isNonceConflict({ error: { message: "already known" } })).to.equal(true);
      expect(isNonceConflict(new Error("insufficient funds"))).to.equal(false);
    });
  });
});

describe("Semaphore", function () {
  it("never runs more actions at once than its limit", async function () {
    const limit = new Semaphore(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limit.run(async () => {
          running++;
          peak = Math.max(peak, running);
          // Fixed, uneven delays: the actions finish out of order, the same way on every run.
          await new Promise((resolve) => setTimeout(resolve, (i * 3) % 5));
          running--;
        }),
      ),
    );
    expect(peak).to.equal(3);
  });
});
