import { appendFile, mkdir, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

import { randomBytes } from "node:crypto";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { ZeroHash, getBytes, hexlify } from "ethers";

import { BATCH_LEAF_ENCODING } from "../../client/batch-tree.js";
import { recordCommitmentOf } from "../../client/crypto/commitment.js";
import { Purpose, RecordType } from "../../client/care-types.js";
import { EncryptionKeyring } from "../../client/key-release/encryption-keyring.js";
import { KeyReleaseDeniedError, KeyReleaseUnavailableError } from "../../client/key-release/errors.js";
import { hpkeOpen, hpkeSeal } from "../../client/key-release/hpke.js";
import {
  KeyReleaseClient,
  fetchCustodianKeys,
  postJson,
  signReleaseRequest,
  type CustodianEndpoint,
} from "../../client/key-release/key-release-client.js";
import type { ReleaseLogEntry } from "../../client/key-release/release-log.js";
import {
  RELEASE_SEAL_INFO,
  keyReleaseDomain,
  parseReleaseBody,
  releaseRequestHash,
  type ReleaseRequestBody,
} from "../../client/key-release/release-protocol.js";
import {
  SHARE_SEAL_INFO,
  combineShares,
  decodeShareBundle,
  encodeShareBundle,
  shareAad,
  splitDataKey,
} from "../../client/key-release/share-bundle.js";
import {
  ACCOUNTS,
  commitmentFrom,
  spawnCustodian,
  startReleaseWorld,
  type ReleaseWorld,
  type TestRecord,
} from "./release-fixture.js";

/** Reads every entry of a custodian's log file. */
async function logEntries(dataDir: string): Promise<ReleaseLogEntry[]> {
  const text = await readFile(join(dataDir, "releases.jsonl"), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as ReleaseLogEntry);
}

/**
 * A custodian gone bad, on the same protocol: it opens its share with its own keyring and hands it
 * (or, when `lie` is set, random bytes) to whoever asks, without asking the chain.
 */
async function startRogueCustodian(
  world: ReleaseWorld,
  i: number,
  lie: boolean,
): Promise<{ server: Server; url: string }> {
  const address = world.wallet(ACCOUNTS.custodians[i]).address;
  const keyring = await EncryptionKeyring.open(join(world.custodianDirs[i], "custodian-keys.json"), address);
  const domain = keyReleaseDomain(world.chainId, world.addresses.consent);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        const body = parseReleaseBody(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        const { request, share } = body;
        const own = keyring.byVersion(share.keyVersion);
        if (own === undefined) throw new Error("unknown key version");
        const aad = shareAad(
          {
            chainId: world.chainId,
            registry: world.addresses.registry,
            patient: request.patient,
            salt: getBytes(request.salt),
            author: await (request.batchRoot === ZeroHash
              ? world.contracts.registry.recordOf(request.patient, request.commitment).then((r) => r.author)
              : world.contracts.registry.batchOf(request.batchRoot).then((b) => b.author)),
          },
          address,
          share.index,
          share.threshold,
          share.shares,
        );
        const plain = lie
          ? getBytes(hexlify(crypto.getRandomValues(new Uint8Array(33))))
          : await hpkeOpen(own.privateKey, getBytes(share.sealed), SHARE_SEAL_INFO, aad);
        const [version, publicKey] = await world.contracts.keyRegistry.currentEncryptionKey(request.requester);
        const sealed = await hpkeSeal(
          getBytes(publicKey),
          plain,
          RELEASE_SEAL_INFO,
          getBytes(releaseRequestHash(domain, request)),
        );
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ index: share.index, keyVersion: Number(version), sealed: hexlify(sealed), blockNumber: 0 }),
        );
      })().catch(() => {
        res.writeHead(500);
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("threshold key release (custodians against a hardhat node)", function () {
  this.timeout(300_000);
  let world: ReleaseWorld;
  /** Batch records released by the tests, for checking the logs against the batch rule. */
  /** Batched records by record commitment, with the content commitment their leaf names. */
  const batchRecords = new Map<string, NonNullable<TestRecord["batch"]> & { content: string }>();

  before(async function () {
    world = await startReleaseWorld();
  });

  after(async function () {
    await world?.stop();
  });

  const endpoints = (): CustodianEndpoint[] =>
    world.custodians.map((c, i) => ({ url: c!.url, address: world.wallet(ACCOUNTS.custodians[i]).address }));

  const recover = async (
    who: number,
    record: TestRecord,
    purpose = Purpose.Treatment,
    custodians?: CustodianEndpoint[],
  ) =>
    (await world.clientFor(who, custodians ?? endpoints())).recoverDataKey({
      patient: record.patient,
      commitment: record.commitment,
      purpose,
      salt: record.salt,
      envelopeHash: record.envelopeHash,
      bundle: decodeShareBundle(encodeShareBundle(record.bundle)),
      batch: record.batch,
    });

  describe("share bundles", function () {
    it("round-trip through the binary encoding and rebuild the key from any 2 of 3 shares", async function () {
      const record = await world.makeRecord();
      const bytes = encodeShareBundle(record.bundle);
      expect(bytes.length).to.equal(7 + 3 * 138);
      const decoded = decodeShareBundle(bytes);
      expect(decoded.threshold).to.equal(2);
      expect(decoded.shares.map((s) => s.custodian)).to.deep.equal(record.bundle.shares.map((s) => s.custodian));
      expect(hexlify(decoded.shares[1].sealed)).to.equal(hexlify(record.bundle.shares[1].sealed));
    });
  });

  describe("share bundle decoding (untrusted storage)", function () {
    it("refuses truncated, trailing, oversized, re-ordered and foreign bytes", async function () {
      const record = await world.makeRecord();
      const bytes = encodeShareBundle(record.bundle);
      const refused = (candidate: Uint8Array): string | undefined => {
        try {
          decodeShareBundle(candidate);
          return undefined;
        } catch (error) {
          return (error as { code?: string }).code;
        }
      };
      expect(refused(bytes.subarray(0, bytes.length - 1))).to.equal("MALFORMED_ENVELOPE");
      expect(refused(bytes.subarray(0, 3))).to.equal("MALFORMED_ENVELOPE");
      expect(refused(Uint8Array.from([...bytes, 0]))).to.equal("MALFORMED_ENVELOPE");
      expect(refused(new Uint8Array(10_000))).to.equal("MALFORMED_ENVELOPE");
      const badMagic = Uint8Array.from(bytes);
      badMagic[0] ^= 1;
      expect(refused(badMagic)).to.equal("MALFORMED_ENVELOPE");
      const badVersion = Uint8Array.from(bytes);
      badVersion[4] = 2;
      expect(refused(badVersion)).to.equal("UNSUPPORTED_ENVELOPE_VERSION");
      const badThreshold = Uint8Array.from(bytes);
      badThreshold[5] = 4;
      expect(refused(badThreshold)).to.equal("MALFORMED_ENVELOPE");
      const swappedIndex = Uint8Array.from(bytes);
      swappedIndex[7 + 24] = 1;
      expect(refused(swappedIndex)).to.equal("MALFORMED_ENVELOPE");
      const zeroVersion = Uint8Array.from(bytes);
      zeroVersion.fill(0, 7 + 20, 7 + 24);
      expect(refused(zeroVersion)).to.equal("MALFORMED_ENVELOPE");
      expect(refused(bytes)).to.equal(undefined);
    });
  });

  describe("for a record anchored in a batch", function () {
    it("releases the key to a grantee with the record's inclusion proof", async function () {
      const doctor = world.wallet(ACCOUNTS.doctor);
      const single = await world.makeRecord();
      // The same kind of record, anchored in a batch instead (the bundle binds the batch's author).
      const salt = Uint8Array.from(randomBytes(32));
      const envelopeHash = hexlify(randomBytes(32));
      const content = commitmentFrom(salt, envelopeHash);
      // The leaf names the content commitment; the registry and the custodians the doctor's record commitment.
      const commitment = recordCommitmentOf(doctor.address, content);
      const leaves: [string, string, number, boolean][] = [
        [single.patient, content, RecordType.LabResult, false],
        [single.patient, hexlify(randomBytes(32)), RecordType.LabResult, false],
      ];
      const tree = StandardMerkleTree.of(leaves, [...BATCH_LEAF_ENCODING]);
      await (await world.contracts.registry.connect(doctor).anchorBatch(tree.root, 2)).wait();
      const dataKey = Uint8Array.from(randomBytes(32));
      const bundle = await splitDataKey(
        Uint8Array.from(dataKey),
        await fetchCustodianKeys(
          world.contracts.keyRegistry,
          endpoints().map((e) => e.address),
        ),
        2,
        {
          chainId: world.chainId,
          registry: world.addresses.registry,
          patient: single.patient,
          salt,
          author: doctor.address,
        },
      );
      const record: TestRecord = {
        ...single,
        commitment,
        salt,
        envelopeHash,
        dataKey,
        bundle,
        batch: {
          root: recordCommitmentOf(doctor.address, tree.root),
          recordType: RecordType.LabResult,
          sensitive: false,
          proof: tree.getProof(0),
        },
      };
      batchRecords.set(commitment, { ...record.batch!, content });
      await world.grant(record, ACCOUNTS.reader);
      expect(hexlify(await recover(ACCOUNTS.reader, record))).to.equal(hexlify(dataKey));
      const denied = await recover(ACCOUNTS.stranger, record).catch((e: unknown) => e);
      expect(denied).to.be.instanceOf(KeyReleaseDeniedError);
      // A wrong proof is a refusal by the chain, not an outage.
      const badProof = { ...record, batch: { ...record.batch!, proof: tree.getProof(1) } };
      expect(await recover(ACCOUNTS.reader, badProof).catch((e: unknown) => e)).to.be.instanceOf(KeyReleaseDeniedError);
    });
  });

  describe("with an allowed reader", function () {
    it("releases the data key through 2 of 3 custodians, and logs each release", async function () {
      const record = await world.makeRecord();
      await world.grant(record, ACCOUNTS.reader);
      const key = await recover(ACCOUNTS.reader, record);
      expect(hexlify(key)).to.equal(hexlify(record.dataKey));
      // Let the third answer land, then look at the logs.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const logged = (await Promise.all(world.custodianDirs.map(logEntries)))
        .flat()
        .filter((e) => e.commitment === record.commitment);
      expect(logged.length).to.be.within(2, 3);
      for (const entry of logged) {
        expect(entry.requester).to.equal(world.wallet(ACCOUNTS.reader).address);
        expect(entry.patient).to.equal(record.patient);
        expect(entry.purpose).to.equal(Purpose.Treatment);
        expect(entry.blockNumber).to.be.a("number");
      }
    });

    it("releases to the patient and to the author without any grant", async function () {
      const record = await world.makeRecord();
      expect(hexlify(await recover(ACCOUNTS.patient, record))).to.equal(hexlify(record.dataKey));
      expect(hexlify(await recover(ACCOUNTS.doctor, record))).to.equal(hexlify(record.dataKey));
    });

    it("lets the patient list the releases of their records, with the custodian of each", async function () {
      const record = await world.makeRecord();
      await world.grant(record, ACCOUNTS.reader);
      await recover(ACCOUNTS.reader, record);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const client = await world.clientFor(ACCOUNTS.patient, endpoints());
      const listing = await client.listReleases(world.wallet(ACCOUNTS.patient));
      expect(listing.failed).to.deep.equal([]);
      const mine = listing.entries.filter((e) => e.commitment === record.commitment);
      expect(mine.length).to.be.within(2, 3);
      expect(new Set(mine.map((e) => e.custodian)).size).to.equal(mine.length);
    });
  });

  describe("when the chain says no", function () {
    it("gives a stranger nothing from any custodian", async function () {
      const record = await world.makeRecord();
      const error = await recover(ACCOUNTS.stranger, record).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(KeyReleaseDeniedError);
      expect((error as KeyReleaseDeniedError).code).to.equal("KEY_RELEASE_DENIED");
      await new Promise((resolve) => setTimeout(resolve, 300));
      const logged = (await Promise.all(world.custodianDirs.map(logEntries))).flat();
      expect(logged.filter((e) => e.commitment === record.commitment)).to.deep.equal([]);
    });

    it("gives a revoked grantee nothing, though it read before the revocation", async function () {
      const record = await world.makeRecord();
      const grantId = await world.grant(record, ACCOUNTS.revoked);
      expect(hexlify(await recover(ACCOUNTS.revoked, record))).to.equal(hexlify(record.dataKey));
      await world.revoke(record, grantId);
      const error = await recover(ACCOUNTS.revoked, record).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(KeyReleaseDeniedError);
      expect((error as KeyReleaseDeniedError).denied).to.be.at.least(2);
    });

    it("gives a suspended provider nothing, though it holds a grant", async function () {
      const record = await world.makeRecord();
      await world.grant(record, ACCOUNTS.suspended);
      expect(hexlify(await recover(ACCOUNTS.suspended, record))).to.equal(hexlify(record.dataKey));
      await (
        await world.contracts.directory.suspendProvider(
          world.wallet(ACCOUNTS.suspended).address,
          `0x${"00".repeat(32)}`,
        )
      ).wait();
      const error = await recover(ACCOUNTS.suspended, record).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(KeyReleaseDeniedError);
    });

    it("gives a reader the chain denies nothing even with one colluding custodian", async function () {
      const record = await world.makeRecord();
      const rogue = await startRogueCustodian(world, 0, false);
      try {
        const custodians = endpoints();
        custodians[0] = { ...custodians[0], url: rogue.url };
        const error = await recover(ACCOUNTS.stranger, record, Purpose.Treatment, custodians).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(KeyReleaseDeniedError);
        const outcomes = (error as KeyReleaseDeniedError).outcomes;
        // The honest custodians refuse; the colluder's one share is all the reader can get.
        expect(outcomes.filter((o) => o.outcome === "denied")).to.have.length(2);
        expect(outcomes.filter((o) => o.outcome === "released").length).to.be.at.most(1);
        // The colluder's share alone, or with any share the reader could forge, is not the key.
        const keyring = await EncryptionKeyring.open(
          join(world.custodianDirs[0], "custodian-keys.json"),
          world.wallet(ACCOUNTS.custodians[0]).address,
        );
        const own = record.bundle.shares[0];
        const plain = await hpkeOpen(
          keyring.byVersion(own.keyVersion)!.privateKey,
          own.sealed,
          SHARE_SEAL_INFO,
          shareAad(
            {
              chainId: world.chainId,
              registry: world.addresses.registry,
              patient: record.patient,
              salt: record.salt,
              author: record.author,
            },
            own.custodian,
            0,
            2,
            3,
          ),
        );
        const forged = Uint8Array.from(plain);
        forged[32] = plain[32] ^ 0x5a;
        forged.set(crypto.getRandomValues(new Uint8Array(32)), 0);
        expect(hexlify(await combineShares([plain, forged]))).not.to.equal(hexlify(record.dataKey));
      } finally {
        rogue.server.close();
      }
    });
  });

  describe("with custodians down or lying", function () {
    it("still releases with one custodian down, and fails with a typed error with two down", async function () {
      const record = await world.makeRecord();
      await world.grant(record, ACCOUNTS.reader);
      const before = endpoints();
      await world.custodians[2]!.close();
      expect(hexlify(await recover(ACCOUNTS.reader, record, Purpose.Treatment, before))).to.equal(
        hexlify(record.dataKey),
      );
      await world.custodians[1]!.close();
      const error = await recover(ACCOUNTS.reader, record, Purpose.Treatment, before).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(KeyReleaseUnavailableError);
      const unavailable = error as KeyReleaseUnavailableError;
      expect(unavailable.code).to.equal("KEY_RELEASE_UNAVAILABLE");
      expect(unavailable.needed).to.equal(2);
      expect(unavailable.valid).to.be.at.most(1);
      expect(unavailable.failed).to.equal(2);
      expect(unavailable.message).not.to.match(/0x[0-9a-fA-F]{8}/);

      // Restarted from their directories, they keep their published keys.
      for (const i of [1, 2]) {
        const versionBefore = (
          await world.contracts.keyRegistry.currentEncryptionKey(world.wallet(ACCOUNTS.custodians[i]).address)
        )[0];
        const restarted = await world.startCustodian(i);
        expect(BigInt(restarted.keyVersion)).to.equal(versionBefore);
      }
      expect(hexlify(await recover(ACCOUNTS.reader, record))).to.equal(hexlify(record.dataKey));
    });

    it("discards a lying custodian's share and recovers from the honest ones", async function () {
      const record = await world.makeRecord();
      await world.grant(record, ACCOUNTS.reader);
      const liar = await startRogueCustodian(world, 1, true);
      try {
        const custodians = endpoints();
        custodians[1] = { ...custodians[1], url: liar.url };
        expect(hexlify(await recover(ACCOUNTS.reader, record, Purpose.Treatment, custodians))).to.equal(
          hexlify(record.dataKey),
        );
        // With an honest custodian down, the liar cannot make up the threshold.
        custodians[2] = { ...custodians[2], url: "http://127.0.0.1:9" };
        const error = await recover(ACCOUNTS.reader, record, Purpose.Treatment, custodians).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(KeyReleaseUnavailableError);
        expect((error as KeyReleaseUnavailableError).outcomes.map((o) => o.reason)).to.include("wrong-share");
      } finally {
        liar.server.close();
      }
    });
  });

  describe("with a confirmation depth", function () {
    it("releases only once the grant is that many blocks deep", async function () {
      await world.custodians[0]!.close();
      const deep = await world.startCustodian(0, undefined, 2);
      try {
        const record = await world.makeRecord();
        await world.grant(record, ACCOUNTS.reader);
        const custodians = endpoints();
        const client = await world.clientFor(ACCOUNTS.reader, custodians);
        const share = record.bundle.shares[0];
        const send = async (): Promise<number> => {
          const { body } = await signReleaseRequest(world.wallet(ACCOUNTS.reader), {
            domain: client.domain,
            custodian: deep.address,
            requester: world.wallet(ACCOUNTS.reader).address,
            patient: record.patient,
            commitment: record.commitment,
            purpose: Purpose.Treatment,
            salt: hexlify(record.salt),
            envelopeHash: record.envelopeHash,
            share,
            threshold: 2,
            shareCount: 3,
            expiresAt: Math.floor(Date.now() / 1000) + 60,
          });
          return (await postJson(`${deep.url}/v1/release`, body, 5_000)).status;
        };
        expect(await send()).to.equal(403);
        await world.node.provider.send("hardhat_mine", ["0x2"]);
        expect(await send()).to.equal(200);
      } finally {
        await deep.close();
        await world.startCustodian(0);
      }
    });
  });

  describe("a custodian run as its own process", function () {
    it("keeps its key and its log across a SIGKILL mid-load, and refuses replays of logged requests", async function () {
      const deployment = await world.deploymentFile();
      const dataDir = join(world.dir, "process-custodian");
      await mkdir(dataDir, { recursive: true });
      const spawnIt = () =>
        spawnCustodian({
          rpcUrl: world.node.url,
          deployment,
          dataDir,
          keyIndex: ACCOUNTS.processCustodian,
          keyDir: world.dir,
        });
      let proc = await spawnIt();
      const processAddress = world.wallet(ACCOUNTS.processCustodian).address;
      expect(proc.address).to.equal(processAddress);
      // Port 0 was asked for: the line names the port the system chose.
      expect(proc.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(proc.url).not.to.match(/:(0|8600)$/);
      const [versionBefore, keyBefore] = await world.contracts.keyRegistry.currentEncryptionKey(processAddress);
      expect(versionBefore).to.be.greaterThan(0n);

      const custodians = [
        world.wallet(ACCOUNTS.custodians[0]).address,
        world.wallet(ACCOUNTS.custodians[1]).address,
        processAddress,
      ];
      const record = await world.makeRecord({ custodians });
      await world.grant(record, ACCOUNTS.reader);
      const reader = world.wallet(ACCOUNTS.reader);
      const domain = keyReleaseDomain(world.chainId, world.addresses.consent);
      const bodies: ReleaseRequestBody[] = [];
      for (let i = 0; i < 60; i++) {
        const { body } = await signReleaseRequest(reader, {
          domain,
          custodian: processAddress,
          requester: reader.address,
          patient: record.patient,
          commitment: record.commitment,
          purpose: Purpose.Treatment,
          salt: hexlify(record.salt),
          envelopeHash: record.envelopeHash,
          share: record.bundle.shares[2],
          threshold: 2,
          shareCount: 3,
          expiresAt: Math.floor(Date.now() / 1000) + 240,
        });
        bodies.push(body);
      }
      const answered = new Set<string>();
      let killed = false;
      const load = bodies.map(async (body) => {
        try {
          const response = await postJson(`${proc.url}/v1/release`, body, 10_000);
          if (response.status === 200) {
            answered.add(body.request.nonce);
            if (answered.size >= 8 && !killed) {
              killed = true;
              proc.child.kill("SIGKILL");
            }
          }
        } catch {
          // Connections cut by the kill.
        }
      });
      await Promise.all(load);
      const exit = await proc.exited;
      expect(exit.signal).to.equal("SIGKILL");
      expect(answered.size).to.be.at.least(8);

      // Whatever was answered was logged first. Add a torn line, as a kill during a write leaves.
      const logged = await logEntries(dataDir);
      const loggedNonces = new Set(logged.map((e) => e.nonce));
      for (const nonce of answered) expect(loggedNonces.has(nonce), "answered but not logged").to.equal(true);
      const sent = new Set(bodies.map((b) => b.request.nonce));
      for (const nonce of loggedNonces) expect(sent.has(nonce)).to.equal(true);
      await appendFile(join(dataDir, "releases.jsonl"), '{"requester":"0x70997970C51812dc3A010C7d01b50e0d1');

      proc = await spawnIt();
      try {
        const [versionAfter, keyAfter] = await world.contracts.keyRegistry.currentEncryptionKey(processAddress);
        expect(versionAfter).to.equal(versionBefore);
        expect(keyAfter).to.equal(keyBefore);
        const relogged = await logEntries(dataDir);
        expect(relogged.map((e) => e.nonce)).to.deep.equal(logged.map((e) => e.nonce));

        // Replays of logged requests are refused after the restart.
        const replayed = bodies.find((b) => answered.has(b.request.nonce))!;
        const replay = await postJson(`${proc.url}/v1/release`, replayed, 5_000);
        expect(replay.status).to.equal(409);
        expect(replay.json).to.deep.equal({
          error: "replayed-request",
          message: "This request was already received; sign a fresh one.",
        });

        // It still serves fresh requests, with the share sealed to its unchanged key.
        const ends: CustodianEndpoint[] = [
          { url: "http://127.0.0.1:9", address: custodians[0] },
          { url: world.custodians[1]!.url, address: custodians[1] },
          { url: proc.url, address: processAddress },
        ];
        expect(hexlify(await recover(ACCOUNTS.reader, record, Purpose.Treatment, ends))).to.equal(
          hexlify(record.dataKey),
        );

        proc.child.kill("SIGTERM");
        const clean = await proc.exited;
        expect(clean.code).to.equal(0);
      } finally {
        proc.child.kill("SIGKILL");
      }
    });
  });

  describe("the release logs", function () {
    it("hold only releases the chain allowed at the logged block", async function () {
      // Runs last: every release made by the tests above is checked.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const dirs = [...world.custodianDirs, join(world.dir, "process-custodian")];
      const entries = (await Promise.all(dirs.map(logEntries))).flat();
      expect(entries.length).to.be.greaterThan(10);
      for (const entry of entries) {
        const batch = batchRecords.get(entry.commitment);
        const allowed =
          entry.batchRoot === ZeroHash
            ? await world.contracts.consent.canAccess(entry.requester, entry.patient, entry.commitment, entry.purpose, {
                blockTag: entry.blockNumber,
              })
            : await world.contracts.consent.canAccessBatchRecord(
                entry.requester,
                entry.batchRoot,
                {
                  patient: entry.patient,
                  commitment: batch!.content,
                  recordType: batch!.recordType,
                  sensitive: batch!.sensitive,
                },
                batch!.proof,
                entry.purpose,
                { blockTag: entry.blockNumber },
              );
        expect(allowed, `release at block ${entry.blockNumber}`).to.equal(true);
      }
      const deniedAccounts = [ACCOUNTS.stranger].map((i) => world.wallet(i).address);
      expect(entries.filter((e) => deniedAccounts.includes(e.requester))).to.deep.equal([]);
    });
  });

  it("a client refuses a bundle below its configured threshold", async function () {
    const record = await world.makeRecord();
    const client = new KeyReleaseClient({
      custodians: endpoints(),
      threshold: 3,
      signer: world.wallet(ACCOUNTS.patient),
      keyring: await world.keyringOf(ACCOUNTS.patient),
      chainId: world.chainId,
      addresses: world.addresses,
    });
    const error = await client
      .recoverDataKey({
        patient: record.patient,
        commitment: record.commitment,
        purpose: Purpose.Treatment,
        salt: record.salt,
        envelopeHash: record.envelopeHash,
        bundle: record.bundle,
      })
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).to.equal("INVALID_ARGUMENT");
  });
});
