/** Where the CLI writes; injectable so tests can run commands in-process. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** JSON text of chain results, whose amounts and ids may be bigints (written as decimal strings). */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), indent);
}

function jsonSafe(value: unknown): unknown {
  return JSON.parse(jsonText(value));
}

/** Prints `human` lines, or `data` as JSON with --json. */
export function emit(io: CliIo, json: boolean | undefined, human: string | string[], data: unknown): void {
  if (json === true) io.stdout.write(`${JSON.stringify(jsonSafe(data), null, 2)}\n`);
  else io.stdout.write(`${(Array.isArray(human) ? human : [human]).join("\n")}\n`);
}
