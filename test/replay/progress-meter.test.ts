import { expect } from "chai";

import { createProgressMeter, SILENT_PROGRESS } from "../../replay/progress/progress-meter.js";

function target(isTTY: boolean): { isTTY: boolean; written: string[]; write(text: string): boolean } {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => (written.push(text), true) };
}

describe("progress meter", () => {
  it("stays silent when stderr is not a terminal, under CI, or with --quiet", () => {
    expect(createProgressMeter({ target: target(false), quiet: false, env: {} })).to.equal(SILENT_PROGRESS);
    expect(createProgressMeter({ target: target(true), quiet: false, env: { CI: "true" } })).to.equal(SILENT_PROGRESS);
    expect(createProgressMeter({ target: target(true), quiet: true, env: {} })).to.equal(SILENT_PROGRESS);
  });

  it("shows rows/s, patients/s and the time left on a terminal, then clears its line", () => {
    const tty = target(true);
    let now = 0;
    const meter = createProgressMeter({
      target: tty,
      quiet: false,
      env: { CI: "false" },
      now: () => now,
      intervalMs: 100,
    });
    meter.start(1000);
    meter.bytes(250);
    now = 2000;
    for (let row = 1; row <= 4096; row += 1) meter.rows(row, row * 10);
    meter.finish();
    expect(tty.written).to.have.length(2);
    expect(tty.written[0]).to.include("ingesting: 2,048 rows");
    expect(tty.written[0]).to.include("1,024 rows/s");
    expect(tty.written[0]).to.include("10,240 patients/s");
    expect(tty.written[0]).to.include("25%, about 6 s left");
    expect(tty.written[1]).to.equal("\r\u001b[2K");
  });
});
