import { expect } from "chai";

import { expectClose } from "./helpers/expect-close.js";
import { expectOneSentenceNaming, expectReplayError } from "./helpers/expect-replay-error.js";

import { InvalidSettingError } from "../../replay/errors.js";
import { gasToMoney } from "../../replay/money/convert.js";
import { PRICE_SCENARIOS, PRICES_AS_OF, resolvePricing, SCENARIO_NAMES } from "../../replay/money/price-scenarios.js";

describe("gas to money", () => {
  it("converts gas through gwei to ether, euro and dollars", () => {
    // 1,000,000 gas x 2 gwei = 2,000,000 gwei = 0.002 ETH
    const money = gasToMoney(1_000_000, { gasPriceGwei: 2, ethEur: 3000, ethUsd: 3500 });
    expectClose(money.eth, 0.002, 1e-15);
    expectClose(money.eur, 6, 1e-12);
    expectClose(money.usd, 7, 1e-12);
  });

  it("costs nothing on a zero-gas-price network", () => {
    expect(gasToMoney(123_456_789, resolvePricing("permissioned"))).to.deep.equal({ eth: 0, eur: 0, usd: 0 });
  });

  it("has the three named scenarios, dated as assumptions", () => {
    expect(Object.keys(PRICE_SCENARIOS)).to.deep.equal(["ethereum-mainnet", "l2-rollup", "permissioned"]);
    expect(PRICES_AS_OF).to.equal("2026-11");
    const mainnet = resolvePricing();
    expect(mainnet).to.deep.include({
      scenario: "ethereum-mainnet",
      gasPriceGwei: 2,
      ethEur: 3000,
      ethUsd: 3500,
      asOf: "2026-11",
      overridden: [],
    });
    expect(resolvePricing("l2-rollup").gasPriceGwei).to.equal(0.01);
  });

  it("lets flags override a scenario's prices and records which", () => {
    const pricing = resolvePricing("l2-rollup", { gasPriceGwei: 0.05, ethUsd: 4000 });
    expect(pricing).to.deep.include({
      gasPriceGwei: 0.05,
      ethEur: 3000,
      ethUsd: 4000,
      overridden: ["gasPriceGwei", "ethUsd"],
    });
  });

  it("rejects unknown scenarios and negative prices, naming the setting", () => {
    const unknown = expectReplayError(() => resolvePricing("moon"), InvalidSettingError, {
      code: "INVALID_SETTING",
      setting: "scenario",
      value: "moon",
      expected: SCENARIO_NAMES,
    });
    expectOneSentenceNaming(unknown, "scenario");
    expectReplayError(() => resolvePricing("ethereum-mainnet", { ethEur: -1 }), InvalidSettingError, {
      setting: "ethEur",
      value: -1,
      expected: "a non-negative number",
    });
    expectReplayError(
      () => resolvePricing("l2-rollup", { gasPriceGwei: Number.POSITIVE_INFINITY }),
      InvalidSettingError,
      {
        setting: "gasPriceGwei",
        value: Number.POSITIVE_INFINITY,
      },
    );
  });
});
