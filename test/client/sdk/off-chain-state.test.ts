import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { Wallet, getBytes, hexlify, id, sha256 } from "ethers";

import { DecryptionError, MalformedEnvelopeError, RecordType, computeCommitment } from "../../../client/index.js";
import { WriteJournal } from "../../../client/sdk/records/write-journal.js";
import { commitmentPreimage, parseBoundPreimage } from "../../../client/crypto/commitment.js";
import { decodeLedgerObject, encodeLedgerObject, type RecordManifest } from "../../../client/sdk/records/manifest.js";
import { recordContext } from "../../../client/sdk/records/record-crypto.js";
import { EncryptionKeyring } from "../../../client/key-release/encryption-keyring.js";
import { HPKE_OVERHEAD, generateEncryptionKeyPair } from "../../../client/key-release/hpke.js";
import { keySectionOf, openWithKey, sealWithKeys } from "../../../client/sdk/records/record-crypto.js";
import {
  MAX_DIRECT_READERS,
  decodeKeySection,
  encodeKeySection,
  openDirectKey,
  type DirectReader,
} from "../../../client/sdk/records/record-keys.js";

/** Rejects with `type`; returns the error. */
async function rejection<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    expect(error, `expected ${type.name}, got ${String(error)}`).to.be.instanceOf(type);
    return error as E;
  }
  throw new Error(`expected ${type.name}, but the call succeeded`);
}

function throwing<E extends Error>(action: () => unknown, type: new (...args: never[]) => E): E {
  try {
    action();
  } catch (error) {
    expect(error, `expected ${type.name}, got ${String(error)}`).to.be.instanceOf(type);
    return error as E;
  }
  throw new Error(`expected ${type.name}, but the call succeeded`);
}

describe("off-chain state", function () {
  let directory: string;

  beforeEach(async function () {
    directory = await mkdtemp(join(tmpdir(), "careledger-sdk-state-"));
  });

  afterEach(async function () {
    await rm(directory, { recursive: true, force: true });
  });

  describe("record keys", function () {
    const chainId = 31337n;
    const registry = Wallet.createRandom().address;
    const patient = Wallet.createRandom().address;
    const author = Wallet.createRandom().address;
    const stranger = Wallet.createRandom().address;
    const plaintext = new TextEncoder().encode('{"resourceType":"Observation"}');
    const context = recordContext(chainId, registry, patient, author, RecordType.Wellness);

    /** A keyring file of `account` holding one key published as `version`, as the registry would number it. */
    async function keyringOf(account: string, version = 1, privateKey?: Uint8Array): Promise<EncryptionKeyring> {
      const key = privateKey ?? generateEncryptionKeyPair().privateKey;
      const path = join(directory, `${account}-${hexlify(key).slice(2, 10)}.json`);
      await writeFile(
        path,
        JSON.stringify({
          format: "careledger-encryption-keys",
          version: 1,
          account,
          keys: [{ version, privateKey: hexlify(key) }],
        }),
      );
      return EncryptionKeyring.open(path, account);
    }

    function readerOf(keyring: EncryptionKeyring): DirectReader {
      const { version, publicKey } = keyring.current();
      return { address: keyring.account, version, publicKey };
    }

    async function seal(readers: DirectReader[], split?: Parameters<typeof sealWithKeys>[0]["split"]) {
      return sealWithKeys({ plaintext, context, chainId, registry, patient, author, readers, split });
    }

    it("seals the data key to the patient and the author, and each opens the record with its own keyring", async function () {
      const keyrings = [await keyringOf(patient), await keyringOf(author, 3)];
      const draft = await seal(keyrings.map(readerOf));
      expect(draft.readers).to.deep.equal([patient, author]);
      expect(hexlify(draft.preimage)).to.equal(hexlify(commitmentPreimage(draft.envelopeBytes)));
      expect(sha256(draft.preimage)).to.equal(draft.contentCommitment);
      // The record commitment binds the author to the content commitment; its preimage names both.
      expect(sha256(draft.boundPreimage)).to.equal(draft.commitment);
      expect(parseBoundPreimage(draft.boundPreimage)).to.deep.equal({
        author: author.toLowerCase(),
        contentCommitment: draft.contentCommitment,
      });
      const { section, salt } = keySectionOf(draft.envelopeBytes);
      expect(section.direct.map((key) => [key.reader, key.version])).to.deep.equal([
        [patient, 1],
        [author, 3],
      ]);
      expect(section.custodianBundle.length).to.equal(0);
      for (const keyring of keyrings) {
        const dataKey = await openDirectKey(section, keyring.account, keyring, { chainId, registry, patient, salt });
        if (dataKey === undefined) throw new Error(`no key for ${keyring.account}`);
        const opened = openWithKey(draft.envelopeBytes, dataKey, context, draft.contentCommitment);
        expect(new TextDecoder().decode(opened)).to.equal('{"resourceType":"Observation"}');
      }
    });

    it("holds no key for anyone else: a third party finds none in the envelope", async function () {
      const draft = await seal([readerOf(await keyringOf(patient)), readerOf(await keyringOf(author))]);
      const { section, salt } = keySectionOf(draft.envelopeBytes);
      const other = await keyringOf(stranger);
      expect(await openDirectKey(section, stranger, other, { chainId, registry, patient, salt })).to.equal(undefined);
    });

    it("refuses a keyring holding another key under the sealed version with DecryptionError", async function () {
      const draft = await seal([readerOf(await keyringOf(patient))]);
      const { section, salt } = keySectionOf(draft.envelopeBytes);
      const impostor = await keyringOf(patient, 1);
      const error = await rejection(
        openDirectKey(section, patient, impostor, { chainId, registry, patient, salt }),
        DecryptionError,
      );
      expect(error.format).to.equal("hpke");
    });

    it("binds every sealed key to its record: another salt, patient, registry or chain does not open it", async function () {
      const keyring = await keyringOf(patient);
      const draft = await seal([readerOf(keyring)]);
      const { section, salt } = keySectionOf(draft.envelopeBytes);
      const otherSalt = salt.slice();
      otherSalt[0] ^= 0x01;
      for (const binding of [
        { chainId, registry, patient, salt: otherSalt },
        { chainId, registry, patient: stranger, salt },
        { chainId, registry: stranger, patient, salt },
        { chainId: 1n, registry, patient, salt },
      ]) {
        await rejection(openDirectKey(section, patient, keyring, binding), DecryptionError);
      }
    });

    it("hands the custodian splitter the key and the record's binding, and carries its bundle authenticated", async function () {
      const calls: { dataKey: string; author: string; salt: string; patient: string }[] = [];
      const bundle = getBytes(id("a share bundle"));
      const draft = await seal([readerOf(await keyringOf(patient))], async (dataKey, binding) => {
        calls.push({
          dataKey: hexlify(dataKey),
          author: binding.author,
          salt: hexlify(binding.salt),
          patient: binding.patient,
        });
        return bundle;
      });
      const { section, salt } = keySectionOf(draft.envelopeBytes);
      expect(hexlify(section.custodianBundle)).to.equal(hexlify(bundle));
      expect(calls).to.have.length(1);
      expect(calls[0]).to.include({ author, patient, salt: hexlify(salt) });
      // The key handed to the splitter is the record's: it opens the envelope.
      openWithKey(draft.envelopeBytes, getBytes(calls[0].dataKey), context, draft.contentCommitment);
      // The key section is inside the AEAD's associated data: an altered bundle fails decryption.
      const altered = draft.envelopeBytes.slice();
      altered[altered.length - plaintext.length - 16 - 1] ^= 0x01;
      throwing(
        () => openWithKey(altered, getBytes(calls[0].dataKey), context, computeCommitment(altered)),
        DecryptionError,
      );
    });

    it("parses key sections strictly", function () {
      const sealed = new Uint8Array(32 + HPKE_OVERHEAD).fill(0x11);
      const section = { direct: [{ reader: patient, version: 1, sealed }], custodianBundle: Uint8Array.of(1, 2, 3) };
      const bytes = encodeKeySection(section);
      expect(decodeKeySection(bytes)).to.deep.equal(section);
      const withTrailing = Uint8Array.from([...bytes, 0]);
      const otherFormat = bytes.slice();
      otherFormat[0] = 2;
      const tooMany = bytes.slice();
      tooMany[1] = MAX_DIRECT_READERS + 1;
      for (const [what, malformed] of [
        ["a trailing byte", withTrailing],
        ["a cut bundle", bytes.subarray(0, bytes.length - 1)],
        ["another format", otherFormat],
        ["too many direct readers", tooMany],
        ["nothing", new Uint8Array(0)],
      ] as const) {
        const error = throwing(() => decodeKeySection(malformed), MalformedEnvelopeError);
        expect(error.reason, what).to.equal("bad-length");
      }
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
});
