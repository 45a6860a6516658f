import { expect } from "chai";
import { sha256 } from "ethers";
import { CID } from "multiformats/cid";

import { IntegrityError, InvalidArgumentError } from "../../../../client/errors.js";
import { contentRefOf, parseContentRef, verifyContent } from "../../../../client/storage/index.js";
import { expectThrows } from "../helpers/expect-error.js";
import { EMPTY_CID, HELLO_CID } from "./content-store-contract.js";

describe("content refs", function () {
  it("are base32 CIDv1 strings with raw codec and a sha2-256 multihash", function () {
    const bytes = new TextEncoder().encode("hello");
    const ref = contentRefOf(bytes);
    expect(ref).to.equal(HELLO_CID);
    const cid = parseContentRef(ref);
    expect([cid.version, cid.code, cid.multihash.code]).to.deep.equal([1, 0x55, 0x12]);
    expect(`0x${Buffer.from(cid.multihash.digest).toString("hex")}`).to.equal(sha256(bytes));
    expect(contentRefOf(new Uint8Array(0))).to.equal(EMPTY_CID);
  });

  it("reject other codecs, versions, hashes and encodings", function () {
    const hello = CID.parse(HELLO_CID);
    const candidates = [
      CID.createV1(0x70, hello.multihash).toString(),
      CID.createV0(hello.multihash as Parameters<typeof CID.createV0>[0]).toString(),
      hello.toV1().toString().toUpperCase(),
      `z${HELLO_CID}`,
      `${HELLO_CID} `,
      "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4ye",
    ];
    for (const candidate of candidates) {
      const error = expectThrows(() => parseContentRef(candidate), InvalidArgumentError);
      expect(error.argument).to.equal("ref");
    }
  });

  it("verify content against its ref", function () {
    verifyContent(HELLO_CID, new TextEncoder().encode("hello"));
    const error = expectThrows(() => verifyContent(HELLO_CID, new TextEncoder().encode("hellO")), IntegrityError);
    expect([error.subject, error.expected, error.actual]).to.deep.equal([
      "content-address",
      HELLO_CID,
      contentRefOf(new TextEncoder().encode("hellO")),
    ]);
  });
});
