import type { ExecutedProgress } from "../gas/executed-runner.js";

/** Receives ingestion and executed-run progress; the CLI shows it, tests and pipes get the silent one. */
export interface ProgressSink {
  start(totalBytes: number): void;
  /** Called once per row with running totals; must stay cheap. */
  rows(rowsRead: number, patientsRead: number): void;
  bytes(count: number): void;
  /** Called every few hundred transactions of an executed run. */
  executing?(progress: ExecutedProgress): void;
  finish(): void;
}

export const SILENT_PROGRESS: ProgressSink = {
  start: () => undefined,
  rows: () => undefined,
  bytes: () => undefined,
  finish: () => undefined,
};

export interface ProgressTarget {
  readonly isTTY?: boolean;
  write(text: string): boolean;
}

export interface ProgressMeterOptions {
  readonly target: ProgressTarget;
  readonly quiet: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now?: () => number;
  readonly intervalMs?: number;
}

/** Progress lines only make sense to a person watching a terminal: CI logs and pipes would fill with them. */
export function progressWanted(options: Pick<ProgressMeterOptions, "target" | "quiet" | "env">): boolean {
  const ci = options.env.CI;
  return (
    !options.quiet && options.target.isTTY === true && !(ci !== undefined && ci !== "" && ci !== "false" && ci !== "0")
  );
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}

/** How many rows go by between two looks at the clock, so that per-row calls cost almost nothing. */
const ROWS_PER_CLOCK_CHECK = 2048;

class TerminalProgress implements ProgressSink {
  private totalBytes = 0;
  private bytesRead = 0;
  private startedAt = 0;
  private lastDrawn = 0;
  private sinceCheck = 0;
  private drawn = false;

  constructor(
    private readonly target: ProgressTarget,
    private readonly now: () => number,
    private readonly intervalMs: number,
  ) {}

  start(totalBytes: number): void {
    this.totalBytes = totalBytes;
    this.startedAt = this.now();
    this.lastDrawn = this.startedAt;
  }

  bytes(count: number): void {
    this.bytesRead += count;
  }

  rows(rowsRead: number, patientsRead: number): void {
    this.sinceCheck += 1;
    if (this.sinceCheck < ROWS_PER_CLOCK_CHECK) return;
    this.sinceCheck = 0;
    const now = this.now();
    if (now - this.lastDrawn < this.intervalMs) return;
    this.lastDrawn = now;
    const seconds = Math.max((now - this.startedAt) / 1000, 1e-3);
    const fraction = this.totalBytes > 0 ? Math.min(this.bytesRead / this.totalBytes, 1) : 0;
    const left = fraction > 0 ? (seconds * (1 - fraction)) / fraction : Number.POSITIVE_INFINITY;
    const line =
      `ingesting: ${rowsRead.toLocaleString("en-IE")} rows, ${Math.round(rowsRead / seconds).toLocaleString("en-IE")} rows/s, ` +
      `${Math.round(patientsRead / seconds).toLocaleString("en-IE")} patients/s, ${Math.round(fraction * 100)}%, about ${formatSeconds(left)} left`;
    this.target.write(`\r\u001b[2K${line}`);
    this.drawn = true;
  }

  executing(progress: ExecutedProgress): void {
    const now = this.now();
    if (now - this.lastDrawn < this.intervalMs) return;
    this.lastDrawn = now;
    this.target.write(`\r\u001b[2K${executedProgressLine(progress)}`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.target.write("\r\u001b[2K");
    this.drawn = false;
  }
}

/** "executing per-patient: 4,000 of 10,353 patients, 17,600 tx, 1,650 tx/s, 375 patients/s, about 17 s left". */
export function executedProgressLine(progress: ExecutedProgress): string {
  const seconds = Math.max(progress.seconds, 1e-3);
  const patientsPerSecond = progress.patientsDone / seconds;
  const left =
    patientsPerSecond > 0 ? (progress.patients - progress.patientsDone) / patientsPerSecond : Number.POSITIVE_INFINITY;
  const n = (x: number): string => Math.round(x).toLocaleString("en-IE");
  return (
    `executing ${progress.design}: ${n(progress.patientsDone)} of ${n(progress.patients)} patients, ` +
    `${n(progress.transactions)} tx, ${n(progress.transactions / seconds)} tx/s, ${n(patientsPerSecond)} patients/s, ` +
    `about ${formatSeconds(left)} left`
  );
}

export function createProgressMeter(options: ProgressMeterOptions): ProgressSink {
  if (!progressWanted(options)) return SILENT_PROGRESS;
  return new TerminalProgress(options.target, options.now ?? Date.now, options.intervalMs ?? 250);
}
