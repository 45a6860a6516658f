/**
 * An error the user can act on: its message is one plain sentence (input file, flag or data at fault), printed as
 * is by the CLI. Anything else escaping the replay is a bug.
 */
export class ReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplayError";
  }
}
