import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";

import { expect } from "chai";

import { SHIPPED_DATA } from "./helpers/fixtures.js";

async function listGz(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listGz(path)));
    else if (entry.name.endsWith(".csv.gz")) out.push(path);
  }
  return out.sort();
}

describe("shipped HSE/NTPF data (data/hse)", function () {
  this.timeout(60_000);

  it("decompresses every file to the published bytes listed in SHA256SUMS", async () => {
    const sums = (await readFile(join(SHIPPED_DATA, "SHA256SUMS"), "utf8"))
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => {
        const [hash, name] = line.trim().split(/\s+/);
        return { hash, name: name.replace(/^\.\//, "") };
      });
    expect(sums).to.have.length(9);
    const shipped = (await listGz(SHIPPED_DATA)).map((p) => relative(SHIPPED_DATA, p).replace(/\.gz$/, ""));
    expect(shipped).to.deep.equal(sums.map((s) => s.name).sort());
    for (const { hash, name } of sums) {
      const bytes = gunzipSync(await readFile(join(SHIPPED_DATA, `${name}.gz`)));
      expect(createHash("sha256").update(bytes).digest("hex"), name).to.equal(hash);
    }
  });

  it("keeps the required attribution and licence in its README", async () => {
    const readme = await readFile(join(SHIPPED_DATA, "README.md"), "utf8");
    expect(readme).to.include("Source: National Treatment Purchase Fund (NTPF), Open Data — Waiting List Data");
    expect(readme).to.include("CC BY 4.0");
    expect(readme).to.include("as published");
  });
});
