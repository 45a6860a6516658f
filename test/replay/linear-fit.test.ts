import { expect } from "chai";

import { expectClose } from "./helpers/expect-close.js";

import { fitLine } from "../../replay/model/linear-fit.js";

describe("least-squares line", () => {
  it("fits points on a line exactly", () => {
    const fit = fitLine([1, 2, 3, 4].map((x) => ({ x, y: 5 + 2 * x })));
    expectClose(fit?.slope, 2, 1e-12);
    expectClose(fit?.intercept, 5, 1e-12);
    expectClose(fit?.rSquared, 1, 1e-12);
  });

  it("computes R^2 by hand for scattered points", () => {
    // x 0,1,2 y 0,2,1: slope 0.5, intercept 0.5, SSres 1.5, SStot 2 -> R^2 0.25
    const fit = fitLine([
      { x: 0, y: 0 },
      { x: 1, y: 2 },
      { x: 2, y: 1 },
    ]);
    expectClose(fit?.slope, 0.5, 1e-12);
    expectClose(fit?.intercept, 0.5, 1e-12);
    expectClose(fit?.rSquared, 0.25, 1e-12);
  });

  it("gives no line for fewer than two distinct x values", () => {
    expect(fitLine([{ x: 1, y: 1 }])).to.equal(undefined);
    expect(
      fitLine([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).to.equal(undefined);
  });
});
