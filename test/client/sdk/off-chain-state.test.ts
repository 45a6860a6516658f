import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import {
  AbstractSigner,
  BaseWallet,
  Wallet,
  getBytes,
  id,
  type Provider,
  type TransactionRequest,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";

import {
  DecryptionError,
  InvalidPublicKeyError,
  KeyUnavailableError,
  MalformedEnvelopeError,
  PublicKeyDirectory,
  RecordType,
  WriteJournal,
  decodeLedgerObject,
  encodeLedgerObject,
  publicKeyOfSigner,
  recordContext,
  unwrapKey,
  wrapKey,
  type RecordManifest,
} from "../../../client/index.js";
import { unwrapKeyCached, wrapKeyCached } from "../../../client/sdk/records/cached-key-wrap.js";
import { WorkerRecordCrypto } from "../../../client/sdk/records/worker-record-crypto.js";

/** A signer that can sign but is not a Wallet (like a hardware wallet or a JSON-RPC account). */
class OpaqueSigner extends AbstractSigner {
  readonly #wallet: BaseWallet;

  constructor(wallet: BaseWallet) {
    super(null);
    this.#wallet = wallet;
  }

  async getAddress(): Promise<string> {
    return this.#wallet.address;
  }

  connect(provider: Provider | null): OpaqueSigner {
    void provider;
    return this;
  }

  signTransaction(tx: TransactionRequest): Promise<string> {
    return this.#wallet.signTransaction(tx);
  }

  signMessage(message: string | Uint8Array): Promise<string> {
    return this.#wallet.signMessage(message);
  }

  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string> {
    return this.#wallet.signTypedData(domain, types, value);
  }
}

describe("off-chain state", function () {
  let directory: string;

  beforeEach(async function () {
    directory = await mkdtemp(join(tmpdir(), "careledger-sdk-state-"));
  });

  afterEach(async function () {
    await rm(directory, { recursive: true, force: true });
  });

  describe("PublicKeyDirectory", function () {
    it("registers a Wallet's key and a key recovered from another signer's signature", async function () {
      const keys = await PublicKeyDirectory.open(join(directory, "keys.json"));
      const wallet = Wallet.createRandom();
      const opaque = Wallet.createRandom();
      const registered = await keys.register(wallet);
      expect(registered.publicKey).to.equal(wallet.signingKey.compressedPublicKey);
      expect(await publicKeyOfSigner(new OpaqueSigner(opaque))).to.equal(opaque.signingKey.compressedPublicKey);
      await keys.register(new OpaqueSigner(opaque));
      expect(await keys.publicKeyOf(opaque.address)).to.equal(opaque.signingKey.compressedPublicKey);
    });

    it("refuses a key that does not belong to the address", async function () {
      const keys = PublicKeyDirectory.inMemory();
      try {
        await keys.add(Wallet.createRandom().address, Wallet.createRandom().signingKey.publicKey);
        expect.fail("should have thrown");
      } catch (error) {
        expect(error).to.be.instanceOf(InvalidPublicKeyError);
        expect((error as InvalidPublicKeyError).reason).to.equal("address-mismatch");
      }
    });

    it("shows other processes' registrations and ignores entries that do not verify", async function () {
      const path = join(directory, "keys.json");
      const first = await PublicKeyDirectory.open(path);
      const second = await PublicKeyDirectory.open(path);
      const wallet = Wallet.createRandom();
      await first.register(wallet);
      expect(await second.publicKeyOf(wallet.address)).to.equal(wallet.signingKey.compressedPublicKey);

      const victim = Wallet.createRandom();
      const file = JSON.parse(await readFile(path, "utf8")) as { keys: Record<string, string> };
      file.keys[victim.address] = Wallet.createRandom().signingKey.compressedPublicKey;
      await writeFile(path, JSON.stringify(file));
      const reloaded = await PublicKeyDirectory.open(path);
      expect(await reloaded.publicKeyOf(victim.address)).to.equal(undefined);
      expect([...reloaded.rejected]).to.include(victim.address);
    });

    it("keeps every registration when many are made at once", async function () {
      const path = join(directory, "keys.json");
      const wallets = Array.from({ length: 8 }, () => Wallet.createRandom());
      await Promise.all(wallets.map(async (wallet) => (await PublicKeyDirectory.open(path)).register(wallet)));
      const keys = await PublicKeyDirectory.open(path);
      for (const wallet of wallets) expect(await keys.publicKeyOf(wallet.address)).to.not.equal(undefined);
    });
  });

  describe("ledger objects", function () {
    const manifest: RecordManifest = {
      kind: "record",
      chainId: "31337",
      registry: Wallet.createRandom().address,
      patient: Wallet.createRandom().address,
      commitment: id("commitment"),
      author: Wallet.createRandom().address,
      recordType: RecordType.LabResult,
      sensitive: false,
      envelope: "bafkreigqu5sgxrxyhge37iivr6kpwk3hjl52ifxsj5zvgct6agqzt4pglq",
      keys: [],
      anchor: { kind: "batch", root: id("root"), proof: [id("sibling")] },
    };

    it("round-trip through their byte form", function () {
      expect(decodeLedgerObject(encodeLedgerObject(manifest))).to.deep.equal(manifest);
    });

    it("are told apart from envelopes and junk", function () {
      expect(decodeLedgerObject(getBytes("0x434c5245010203"))).to.equal(undefined);
      const bytes = encodeLedgerObject(manifest);
      bytes[bytes.length - 2] = 0x7b;
      expect(decodeLedgerObject(bytes)).to.equal(undefined);
    });
  });

  describe("WriteJournal", function () {
    it("persists entries across instances and hashes caller keys into file names", async function () {
      const journal = await WriteJournal.open(directory);
      await journal.put({
        version: 1,
        key: "../../etc/passwd",
        operation: "anchorRecord",
        state: "prepared",
        patient: Wallet.createRandom().address,
        commitments: [id("c")],
        manifestRefs: ["ref"],
      });
      const reopened = await WriteJournal.open(directory);
      expect((await reopened.get("../../etc/passwd"))?.commitments).to.deep.equal([id("c")]);
      await reopened.delete("../../etc/passwd");
      expect(await reopened.get("../../etc/passwd")).to.equal(undefined);
    });

    it("runs two actions of one key one after the other", async function () {
      const journal = WriteJournal.inMemory();
      const order: string[] = [];
      await Promise.all([
        journal.exclusive("k", async () => {
          order.push("a-start");
          await new Promise((resolve) => setTimeout(resolve, 20));
          order.push("a-end");
        }),
        journal.exclusive("k", async () => {
          order.push("b");
        }),
      ]);
      expect(order).to.deep.equal(["a-start", "a-end", "b"]);
    });
  });

  describe("WorkerRecordCrypto", function () {
    const patient = Wallet.createRandom();
    const author = Wallet.createRandom();
    const recipients = [patient, author].map((wallet) => ({
      address: wallet.address,
      publicKey: wallet.signingKey.compressedPublicKey,
    }));
    const context = recordContext(31337n, Wallet.createRandom().address, patient.address, RecordType.Wellness);
    const plaintext = new TextEncoder().encode('{"resourceType":"Observation"}');

    it("seals on worker threads and opens for each reader", async function () {
      const crypto = new WorkerRecordCrypto(2);
      try {
        const draft = await crypto.seal(plaintext, context, recipients);
        expect(draft.wrapped.map((wrapped) => wrapped.reader)).to.deep.equal([patient.address, author.address]);
        for (const [index, wallet] of [patient, author].entries()) {
          const opened = await crypto.open({
            envelopeBytes: draft.envelopeBytes,
            wrappedKey: draft.wrapped[index].bytes,
            privateKey: wallet.privateKey,
            context,
            commitment: draft.commitment,
          });
          expect(new TextDecoder().decode(opened)).to.equal('{"resourceType":"Observation"}');
        }
      } finally {
        await crypto.close();
      }
    });

    it("rebuilds the crypto layer's typed errors on this side of the thread", async function () {
      const crypto = new WorkerRecordCrypto(1);
      try {
        const draft = await crypto.seal(plaintext, context, recipients);
        const stranger = Wallet.createRandom();
        try {
          await crypto.open({
            envelopeBytes: draft.envelopeBytes,
            wrappedKey: draft.wrapped[0].bytes,
            privateKey: stranger.privateKey,
            context,
            commitment: draft.commitment,
          });
          expect.fail("should have thrown");
        } catch (error) {
          expect(error).to.be.instanceOf(KeyUnavailableError);
          expect(error).to.include({ reader: stranger.address, recipient: patient.address });
        }
        const altered = draft.wrapped[0].bytes.slice();
        altered[altered.length - 1] ^= 1;
        try {
          await crypto.open({
            envelopeBytes: draft.envelopeBytes,
            wrappedKey: altered,
            privateKey: patient.privateKey,
            context,
            commitment: draft.commitment,
          });
          expect.fail("should have thrown");
        } catch (error) {
          expect(error).to.be.instanceOf(DecryptionError);
        }
      } finally {
        await crypto.close();
      }
    });
  });
});

describe("wrapKeyCached", function () {
  it("produces client/crypto's wrapped-key format: unwrapKey opens it, for every reader, repeatedly", function () {
    const readers = [Wallet.createRandom(), Wallet.createRandom()];
    for (let round = 0; round < 3; round++) {
      for (const reader of readers) {
        const dataKey = getBytes(id(`data-key-${round}`));
        const commitment = id(`commitment-${round}`);
        const wrapped = wrapKeyCached({
          recipientPublicKey: reader.signingKey.compressedPublicKey,
          recipientAddress: reader.address,
          dataKey,
          commitment,
        });
        const reference = wrapKey({
          recipientPublicKey: reader.signingKey.compressedPublicKey,
          recipientAddress: reader.address,
          dataKey,
          commitment: commitment as `0x${string}`,
        });
        expect(wrapped.length).to.equal(reference.length);
        expect(wrapped.subarray(0, 25)).to.deep.equal(reference.subarray(0, 25));
        expect(
          unwrapKey({ privateKey: reader.privateKey, wrapped, commitment: commitment as `0x${string}` }),
        ).to.deep.equal(dataKey);
      }
    }
  });

  it("is bound to the record: another commitment does not open it", function () {
    const reader = Wallet.createRandom();
    const wrapped = wrapKeyCached({
      recipientPublicKey: reader.signingKey.compressedPublicKey,
      recipientAddress: reader.address,
      dataKey: getBytes(id("k")),
      commitment: id("one"),
    });
    expect(() =>
      unwrapKey({ privateKey: reader.privateKey, wrapped, commitment: id("two") as `0x${string}` }),
    ).to.throw(DecryptionError);
  });

  it("refuses a public key that is not the reader's", function () {
    expect(() =>
      wrapKeyCached({
        recipientPublicKey: Wallet.createRandom().signingKey.compressedPublicKey,
        recipientAddress: Wallet.createRandom().address,
        dataKey: getBytes(id("k")),
        commitment: id("c"),
      }),
    ).to.throw(InvalidPublicKeyError);
  });
});

describe("unwrapKeyCached", function () {
  const reader = Wallet.createRandom();
  const dataKey = getBytes(id("data-key"));
  const commitment = id("commitment") as `0x${string}`;
  const wrapped = wrapKey({
    recipientPublicKey: reader.signingKey.compressedPublicKey,
    recipientAddress: reader.address,
    dataKey,
    commitment,
  });

  it("opens client/crypto's wrapped keys", function () {
    for (let round = 0; round < 3; round++) {
      expect(unwrapKeyCached({ privateKey: reader.privateKey, wrapped, commitment })).to.deep.equal(dataKey);
    }
  });

  it("throws client/crypto's typed errors for the wrong reader, altered bytes, truncation and another record", function () {
    const stranger = Wallet.createRandom();
    expect(() => unwrapKeyCached({ privateKey: stranger.privateKey, wrapped, commitment })).to.throw(
      KeyUnavailableError,
    );
    const altered = wrapped.slice();
    altered[altered.length - 1] ^= 1;
    expect(() => unwrapKeyCached({ privateKey: reader.privateKey, wrapped: altered, commitment })).to.throw(
      DecryptionError,
    );
    expect(() =>
      unwrapKeyCached({ privateKey: reader.privateKey, wrapped: wrapped.subarray(0, 60), commitment }),
    ).to.throw(MalformedEnvelopeError);
    expect(() => unwrapKeyCached({ privateKey: reader.privateKey, wrapped, commitment: id("other") })).to.throw(
      DecryptionError,
    );
  });
});
