import { expect } from "chai";

import { createProgressMeter, executedProgressLine, SILENT_PROGRESS } from "../../replay/progress/progress-meter.js";

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

  it("shows an executed run's patients, transactions per second and time left, at most once per interval", () => {
    const tty = target(true);
    let now = 0;
    const meter = createProgressMeter({ target: tty, quiet: false, env: {}, now: () => now, intervalMs: 100 });
    meter.start(0);
    const progress = { design: "per-patient" as const, patients: 10_353, seconds: 4, transactions: 4_400 };
    now = 50;
    meter.executing?.({ ...progress, patientsDone: 500 });
    now = 150;
    meter.executing?.({ ...progress, patientsDone: 1_000 });
    meter.finish();
    expect(tty.written).to.deep.equal([
      `\r\u001b[2K${executedProgressLine({ ...progress, patientsDone: 1_000 })}`,
      "\r\u001b[2K",
    ]);
    expect(executedProgressLine({ ...progress, patientsDone: 1_000 })).to.equal(
      "executing per-patient: 1,000 of 10,353 patients, 4,400 tx, 1,100 tx/s, 250 patients/s, about 38 s left",
    );
  });
});
