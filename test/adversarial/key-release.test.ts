import { randomBytes } from "node:crypto";
import { connect } from "node:net";

import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { hexlify, type Wallet } from "ethers";

import { BATCH_LEAF_ENCODING } from "../../client/batch-tree.js";
import { recordCommitmentOf } from "../../client/crypto/commitment.js";
import { Purpose, RecordType } from "../../client/care-types.js";
import type { RunningCustodian } from "../../client/key-release/custodian-service.js";
import { postJson, signReleaseRequest, type CustodianResponse } from "../../client/key-release/key-release-client.js";
import { keyReleaseDomain, type ReleaseRequestBody } from "../../client/key-release/release-protocol.js";
import {
  ACCOUNTS,
  commitmentFrom,
  startReleaseWorld,
  type ReleaseWorld,
  type TestRecord,
} from "../key-release/release-fixture.js";
import { recordAttack } from "./tally.js";

const CATEGORY = "key release";

describe("adversarial: key release", function () {
  this.timeout(300_000);
  let world: ReleaseWorld;
  let custodian: RunningCustodian;
  let record: TestRecord;

  before(async function () {
    world = await startReleaseWorld();
    // Tight limits on custodian 0 so slow clients are cut off quickly.
    await world.custodians[0]!.close();
    custodian = await world.startCustodian(0, {
      headersTimeoutMs: 1_000,
      requestTimeoutMs: 2_000,
      timeoutCheckIntervalMs: 200,
    });
    for (const requester of [ACCOUNTS.reader, ACCOUNTS.revoked, ACCOUNTS.attacker, ACCOUNTS.stranger]) {
      await world.keyringOf(requester);
    }
    record = await world.makeRecord();
    await world.grant(record, ACCOUNTS.reader, Purpose.Treatment);
  });

  after(async function () {
    await world?.stop();
  });

  const now = (): number => Math.floor(Date.now() / 1000);

  /** A release request for custodian 0's share of `target`, signed by `signer` (default the claimed requester). */
  async function body(
    options: {
      target?: TestRecord;
      requester?: number;
      signer?: Wallet;
      purpose?: Purpose;
      expiresAt?: number;
      custodian?: string;
      shareIndex?: number;
      batch?: { root: string; recordType: number; sensitive: boolean; proof: string[] };
    } = {},
  ): Promise<ReleaseRequestBody> {
    const target = options.target ?? record;
    const requester = world.wallet(options.requester ?? ACCOUNTS.reader);
    const { body: signed } = await signReleaseRequest(options.signer ?? requester, {
      domain: keyReleaseDomain(world.chainId, world.addresses.consent),
      custodian: options.custodian ?? custodian.address,
      requester: requester.address,
      patient: target.patient,
      commitment: target.commitment,
      purpose: options.purpose ?? Purpose.Treatment,
      salt: hexlify(target.salt),
      envelopeHash: target.envelopeHash,
      share: target.bundle.shares[options.shareIndex ?? 0],
      threshold: target.bundle.threshold,
      shareCount: target.bundle.shares.length,
      batch: options.batch,
      expiresAt: options.expiresAt ?? now() + 60,
    });
    return signed;
  }

  const release = (payload: unknown, url = custodian.url): Promise<CustodianResponse> =>
    postJson(`${url}/v1/release`, payload, 10_000);

  /** Raw HTTP, for bodies `fetch` would not send as given. */
  function rawRequest(text: string, timeoutMs = 10_000): Promise<{ status: number; closedWithoutAnswer: boolean }> {
    const { port, hostname } = new URL(custodian.url);
    return new Promise((resolve) => {
      const socket = connect(Number(port), hostname);
      let answer = "";
      const timer = setTimeout(() => socket.destroy(), timeoutMs);
      socket.on("data", (chunk) => (answer += chunk.toString()));
      socket.on("close", () => {
        clearTimeout(timer);
        const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
        resolve({ status: match === null ? 0 : Number(match[1]), closedWithoutAnswer: match === null });
      });
      socket.on("error", () => undefined);
      socket.write(text);
    });
  }

  const healthy = async (): Promise<boolean> => {
    const response = await fetch(`${custodian.url}/v1/health`, { signal: AbortSignal.timeout(5_000) });
    return response.status === 200 && ((await response.json()) as { status: string }).status === "ok";
  };

  function expectError(response: CustodianResponse, status: number, code: string): boolean {
    expect(response.status).to.equal(status);
    const json = response.json as { error: string; message: string };
    expect(json.error).to.equal(code);
    expect(Object.keys(json).sort()).to.deep.equal(["error", "message"]);
    // One plain sentence, no addresses or hashes.
    expect(json.message).to.match(/^[A-Z][^\n]*\.$/);
    expect(json.message).not.to.match(/0x[0-9a-fA-F]{6}/);
    return response.status === status && json.error === code;
  }

  it("answers a genuine request (the baseline the attacks vary)", async function () {
    const response = await release(await body());
    expect(response.status).to.equal(200);
    expect(Object.keys(response.json as object).sort()).to.deep.equal(["blockNumber", "index", "keyVersion", "sealed"]);
  });

  it("refuses a request signed by someone other than the requester it names", async function () {
    const forged = await body({ signer: world.wallet(ACCOUNTS.stranger) });
    recordAttack(CATEGORY, expectError(await release(forged), 401, "bad-signature"));
    // A genuine signature over other values does not carry over either.
    const genuine = await body();
    genuine.request.purpose = Purpose.Research;
    recordAttack(CATEGORY, expectError(await release(genuine), 401, "bad-signature"));
  });

  it("refuses a replayed request", async function () {
    const once = await body();
    expect((await release(once)).status).to.equal(200);
    recordAttack(CATEGORY, expectError(await release(once), 409, "replayed-request"));
    // Concurrent copies: exactly one is answered.
    const twice = await body();
    const answers = await Promise.all([release(twice), release(twice), release(twice)]);
    const ok = answers.filter((a) => a.status === 200).length;
    expect(ok).to.equal(1);
    recordAttack(CATEGORY, ok === 1);
  });

  it("refuses an expired request, and one valid for too long", async function () {
    recordAttack(CATEGORY, expectError(await release(await body({ expiresAt: now() - 1 })), 410, "expired-request"));
    recordAttack(CATEGORY, expectError(await release(await body({ expiresAt: now() + 3_600 })), 400, "expiry-too-far"));
  });

  it("refuses a purpose the grant does not cover", async function () {
    recordAttack(CATEGORY, expectError(await release(await body({ purpose: Purpose.Research })), 403, "access-denied"));
  });

  it("refuses a request addressed to another custodian", async function () {
    const other = world.wallet(ACCOUNTS.custodians[1]).address;
    recordAttack(CATEGORY, expectError(await release(await body({ custodian: other })), 421, "wrong-custodian"));
  });

  it("refuses another custodian's share presented as its own", async function () {
    const swapped = await body({ shareIndex: 1 });
    recordAttack(CATEGORY, expectError(await release(swapped), 422, "share-unopenable"));
  });

  it("refuses a share of one record presented under another record the requester may read", async function () {
    // The reader may read `other`; it sends `record`'s share under `other`'s commitment.
    const other = await world.makeRecord();
    await world.grant(other, ACCOUNTS.reader);
    const reader = world.wallet(ACCOUNTS.reader);
    const resigned = await signReleaseRequest(reader, {
      domain: keyReleaseDomain(world.chainId, world.addresses.consent),
      custodian: custodian.address,
      requester: reader.address,
      patient: other.patient,
      commitment: other.commitment,
      purpose: Purpose.Treatment,
      salt: hexlify(other.salt),
      envelopeHash: other.envelopeHash,
      share: record.bundle.shares[0],
      threshold: 2,
      shareCount: 3,
      expiresAt: now() + 60,
    });
    recordAttack(CATEGORY, expectError(await release(resigned.body), 422, "share-unopenable"));
  });

  it("refuses a provider who anchors a second commitment with the record's salt", async function () {
    // The salt is readable in storage; the attacker anchors its own commitment with it and is its author.
    const envelopeHash = hexlify(randomBytes(32));
    const content = commitmentFrom(record.salt, envelopeHash);
    const attacker = world.wallet(ACCOUNTS.attacker);
    await (
      await world.contracts.registry
        .connect(attacker)
        .anchorRecord(record.patient, content, RecordType.ClinicalNote, false)
    ).wait();
    const commitment = recordCommitmentOf(attacker.address, content);
    const lookalike: TestRecord = { ...record, commitment, envelopeHash };
    const response = await release(await body({ target: lookalike, requester: ACCOUNTS.attacker }));
    recordAttack(CATEGORY, expectError(response, 422, "share-unopenable"));
  });

  it("refuses a provider who re-anchors the record's leaf in a batch of its own", async function () {
    const attacker = world.wallet(ACCOUNTS.attacker);
    // The leaf names the record's content commitment (its salt and envelope hash are readable).
    const content = commitmentFrom(record.salt, record.envelopeHash);
    const leaves: [string, string, number, boolean][] = [
      [record.patient, content, RecordType.ClinicalNote, false],
      [record.patient, hexlify(randomBytes(32)), RecordType.ClinicalNote, false],
    ];
    const tree = StandardMerkleTree.of(leaves, [...BATCH_LEAF_ENCODING]);
    await (await world.contracts.registry.connect(attacker).anchorBatch(tree.root, 2)).wait();
    const batch = {
      root: recordCommitmentOf(attacker.address, tree.root),
      recordType: RecordType.ClinicalNote,
      sensitive: false,
      proof: tree.getProof(0),
    };
    // Asked under the record's own commitment, the binding to the batch's author fails; under the
    // attacker's record commitment of the leaf, the share does not open for the attacker.
    const asRecord = await release(await body({ requester: ACCOUNTS.attacker, batch }));
    recordAttack(CATEGORY, expectError(asRecord, 400, "commitment-mismatch"));
    const target: TestRecord = { ...record, commitment: recordCommitmentOf(attacker.address, content) };
    const response = await release(await body({ target, requester: ACCOUNTS.attacker, batch }));
    recordAttack(CATEGORY, expectError(response, 422, "share-unopenable"));
  });

  it("refuses an oversized body, declared or streamed", async function () {
    const huge = { ...(await body()), padding: "x".repeat(70 * 1024) };
    recordAttack(CATEGORY, expectError(await release(huge), 413, "body-too-large"));
    // No Content-Length: chunked, counted as it arrives.
    const chunk = "y".repeat(16 * 1024);
    let text =
      "POST /v1/release HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (let i = 0; i < 6; i++) text += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    text += "0\r\n\r\n";
    const raw = await rawRequest(text);
    expect(raw.status).to.equal(413);
    recordAttack(CATEGORY, raw.status === 413);
    expect(await healthy()).to.equal(true);
  });

  it("refuses malformed JSON, wrong shapes and wrong media types", async function () {
    const post = (text: string, type = "application/json") =>
      fetch(`${custodian.url}/v1/release`, { method: "POST", headers: { "content-type": type }, body: text }).then(
        async (r) => ({ status: r.status, json: (await r.json()) as unknown }),
      );
    recordAttack(CATEGORY, expectError(await post("{not json"), 400, "malformed-request"));
    recordAttack(CATEGORY, expectError(await post("null"), 400, "malformed-request"));
    recordAttack(CATEGORY, expectError(await post("[]"), 400, "malformed-request"));
    recordAttack(CATEGORY, expectError(await post('{"__proto__":{"polluted":true}}'), 400, "malformed-request"));
    const extra = { ...(await body()), extra: 1 };
    recordAttack(CATEGORY, expectError(await release(extra), 400, "malformed-request"));
    const badNumber = await body();
    (badNumber.request as unknown as { purpose: string }).purpose = "1";
    recordAttack(CATEGORY, expectError(await release(badNumber), 400, "malformed-request"));
    const badSealed = await body();
    badSealed.share.sealed = "0x00";
    recordAttack(CATEGORY, expectError(await release(badSealed), 400, "malformed-request"));
    recordAttack(
      CATEGORY,
      expectError(await post(JSON.stringify(await body()), "text/plain"), 415, "unsupported-media-type"),
    );
    const wrongPath = await fetch(`${custodian.url}/v1/../admin`, { method: "GET" });
    expect(wrongPath.status).to.equal(404);
    // Garbage that is not HTTP at all.
    const garbage = await rawRequest("\x00\x01\x02 not http \r\n\r\n");
    recordAttack(CATEGORY, garbage.status === 400 || garbage.closedWithoutAnswer);
    expect(await healthy()).to.equal(true);
    expect((Object.prototype as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it("cuts off slow clients (slowloris) and keeps serving others", async function () {
    const { port, hostname } = new URL(custodian.url);
    const started = Date.now();
    const slowHeaders = new Promise<number>((resolve) => {
      const socket = connect(Number(port), hostname);
      const header = "POST /v1/release HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
      let i = 0;
      const drip = setInterval(() => {
        if (i < header.length && !socket.destroyed) socket.write(header[i++]);
      }, 100);
      socket.on("error", () => undefined);
      socket.resume();
      socket.on("close", () => {
        clearInterval(drip);
        resolve(Date.now() - started);
      });
    });
    const slowBody = new Promise<number>((resolve) => {
      const socket = connect(Number(port), hostname);
      socket.write(
        "POST /v1/release HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{",
      );
      const drip = setInterval(() => {
        if (!socket.destroyed) socket.write(" ");
      }, 100);
      socket.on("error", () => undefined);
      socket.resume();
      socket.on("close", () => {
        clearInterval(drip);
        resolve(Date.now() - started);
      });
    });
    const idle = new Promise<number>((resolve) => {
      const socket = connect(Number(port), hostname);
      socket.on("error", () => undefined);
      // Read, or the client never notices the server closing.
      socket.resume();
      socket.on("close", () => resolve(Date.now() - started));
    });
    // While they drip, genuine requests are served.
    expect((await release(await body())).status).to.equal(200);
    const times = await Promise.all([slowHeaders, slowBody, idle]);
    for (const ms of times) {
      expect(ms).to.be.below(8_000);
      recordAttack(CATEGORY, ms < 8_000);
    }
    expect(await healthy()).to.equal(true);
  });

  it("refuses a grantee whose grant was revoked just before the request", async function () {
    const target = await world.makeRecord();
    const grantId = await world.grant(target, ACCOUNTS.revoked);
    // Signed while the grant was active, sent after the revocation was mined.
    const early = await body({ target, requester: ACCOUNTS.revoked });
    expect((await release(await body({ target, requester: ACCOUNTS.revoked }))).status).to.equal(200);
    await world.revoke(target, grantId);
    recordAttack(CATEGORY, expectError(await release(early), 403, "access-denied"));
    const late = await body({ target, requester: ACCOUNTS.revoked });
    const answers = await Promise.all(
      world.custodians.map((c, i) =>
        body({ target, requester: ACCOUNTS.revoked, custodian: c!.address, shareIndex: i }).then((b) =>
          release(b, c!.url),
        ),
      ),
    );
    for (const answer of answers) recordAttack(CATEGORY, expectError(answer, 403, "access-denied"));
    recordAttack(CATEGORY, expectError(await release(late), 403, "access-denied"));
  });

  it("refuses to release to an allowed requester who has published no encryption key", async function () {
    // The patient may read, but never published a key: there is nothing to seal the share to.
    const response = await release(await body({ requester: ACCOUNTS.patient }));
    expectError(response, 412, "requester-key-missing");
  });

  it("refuses a request whose commitment does not match its salt and envelope hash", async function () {
    const tampered = await body({ target: { ...record, envelopeHash: hexlify(randomBytes(32)) } });
    recordAttack(CATEGORY, expectError(await release(tampered), 400, "commitment-mismatch"));
  });
});
