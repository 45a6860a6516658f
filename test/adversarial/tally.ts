/**
 * The adversarial suite's scoreboard: every adversarial test counts what it tried, and one root-level
 * `after` hook prints a single summary table when the mocha run ends (once per process, however many
 * adversarial files imported this module).
 *
 * API, for every file under test/adversarial/:
 * - `recordAttack(category, stopped, detail?)` — one attack tried; `stopped` says whether the system
 *   refused it (or left the victim's state untouched). `detail` names an attack that was NOT stopped,
 *   so the table can list it.
 * - `recordFault(category)` — one fault injected (a crash, a dropped connection, a corrupt file).
 * - `recordLoss(category, n)` — `n` records lost to a fault (0 is allowed and is what a test hopes for).
 * - `tallySnapshot()` — the counts so far, per category and in total (for assertions).
 * - `renderTally(snapshot)` — the table as text.
 *
 * The counts live on `globalThis`, so they survive a second evaluation of this module (two import paths
 * resolving to separate module instances) and are shared by every file of the run. When
 * `CARELEDGER_ADVERSARIAL_TALLY` names a file, the final counts are also written there as JSON.
 */
import { writeFileSync } from "node:fs";

/** Counts of one category. */
export interface CategoryTally {
  attacksTried: number;
  attacksStopped: number;
  faultsInjected: number;
  recordsLost: number;
}

/** Everything counted so far. */
export interface TallySnapshot {
  readonly categories: Readonly<Record<string, Readonly<CategoryTally>>>;
  readonly total: Readonly<CategoryTally>;
  /** Attacks that were not stopped, as `category: detail`. */
  readonly notStopped: readonly string[];
}

interface TallyStore {
  categories: Map<string, CategoryTally>;
  notStopped: string[];
  printed: boolean;
  hookRegistered: boolean;
}

/** Environment variable naming a JSON file that receives the final counts. */
export const TALLY_FILE_ENV = "CARELEDGER_ADVERSARIAL_TALLY";

const STORE_KEY = Symbol.for("careledger.adversarial.tally");

function store(): TallyStore {
  const holder = globalThis as typeof globalThis & { [STORE_KEY]?: TallyStore };
  holder[STORE_KEY] ??= { categories: new Map(), notStopped: [], printed: false, hookRegistered: false };
  return holder[STORE_KEY];
}

function category(name: string): CategoryTally {
  if (name.trim() === "") throw new RangeError("A tally category needs a name.");
  const categories = store().categories;
  let entry = categories.get(name);
  if (entry === undefined) {
    entry = { attacksTried: 0, attacksStopped: 0, faultsInjected: 0, recordsLost: 0 };
    categories.set(name, entry);
  }
  return entry;
}

/** Counts one attack of `categoryName`; `stopped` is whether the system refused it. */
export function recordAttack(categoryName: string, stopped: boolean, detail?: string): void {
  const entry = category(categoryName);
  entry.attacksTried += 1;
  if (stopped) entry.attacksStopped += 1;
  else store().notStopped.push(`${categoryName}: ${detail ?? "(no detail given)"}`);
}

/** Counts one injected fault of `categoryName`. */
export function recordFault(categoryName: string): void {
  category(categoryName).faultsInjected += 1;
}

/** Counts `n` records lost in `categoryName` (call it with 0 to make the category appear). */
export function recordLoss(categoryName: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`A loss is a whole number of records, not ${n}.`);
  category(categoryName).recordsLost += n;
}

/** The counts so far. */
export function tallySnapshot(): TallySnapshot {
  const categories: Record<string, CategoryTally> = {};
  const total: CategoryTally = { attacksTried: 0, attacksStopped: 0, faultsInjected: 0, recordsLost: 0 };
  const names = [...store().categories.keys()].sort();
  for (const name of names) {
    const entry = { ...(store().categories.get(name) as CategoryTally) };
    categories[name] = entry;
    total.attacksTried += entry.attacksTried;
    total.attacksStopped += entry.attacksStopped;
    total.faultsInjected += entry.faultsInjected;
    total.recordsLost += entry.recordsLost;
  }
  return { categories, total, notStopped: [...store().notStopped] };
}

const COLUMNS = ["category", "attacks tried", "attacks stopped", "faults injected", "records lost"] as const;

/** The summary table, as plain text (a Markdown table, readable in a terminal and in CI logs). */
export function renderTally(snapshot: TallySnapshot): string {
  const row = (name: string, t: Readonly<CategoryTally>): string[] => [
    name,
    String(t.attacksTried),
    String(t.attacksStopped),
    String(t.faultsInjected),
    String(t.recordsLost),
  ];
  const rows = [...Object.entries(snapshot.categories).map(([name, t]) => row(name, t)), row("total", snapshot.total)];
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${"-".repeat(w + 1)}-` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  const out = ["Adversarial suite summary", line(COLUMNS), rule, ...rows.map(line)];
  if (snapshot.notStopped.length > 0) {
    out.push("", `NOT STOPPED (${snapshot.notStopped.length}):`, ...snapshot.notStopped.map((d) => `  - ${d}`));
  }
  return out.join("\n");
}

/** Prints the table once per process; later calls do nothing. */
export function printTallyOnce(write: (text: string) => void = (text) => console.log(text)): void {
  const s = store();
  if (s.printed) return;
  s.printed = true;
  const snapshot = tallySnapshot();
  write(`\n${renderTally(snapshot)}\n`);
  const file = process.env[TALLY_FILE_ENV];
  if (file !== undefined && file !== "") writeFileSync(file, `${JSON.stringify(snapshot, null, 2)}\n`);
}

// A hook registered while mocha loads a test file, outside any `describe`, belongs to the root suite,
// which runs it after every test of every file. The flag keeps it to one hook per process.
if (typeof after === "function" && !store().hookRegistered) {
  store().hookRegistered = true;
  after(function printAdversarialSummary() {
    printTallyOnce();
  });
}
