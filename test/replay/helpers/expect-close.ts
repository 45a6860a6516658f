import { expect } from "chai";

/**
 * `actual` is within `delta` of `expected`. Chai's closeTo cannot be used here: under `hardhat test`
 * the ethers chai matchers replace it with a bigint-aware version that only takes integer deltas.
 */
export function expectClose(actual: number | null | undefined, expected: number, delta: number): void {
  expect(actual).to.be.a("number");
  const difference = Math.abs((actual as number) - expected);
  expect(difference <= delta, `${String(actual)} is not within ${delta} of ${expected}`).to.equal(true);
}
