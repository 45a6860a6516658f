import { expect } from "chai";

import { ReplayError } from "../../../replay/errors.js";

type ReplayErrorClass<E extends ReplayError> = abstract new (...args: never[]) => E;

/**
 * What `run` threw, checked to be a ReplayError of `type` whose fields include `fields`. Tests assert on these
 * fields, never on the message text, so that rewording a sentence breaks no test.
 */
export function expectReplayError<E extends ReplayError>(
  run: () => unknown,
  type: ReplayErrorClass<E>,
  fields: Partial<E>,
): E {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  return checked(thrown, type, fields);
}

/** The same for a promise: what it rejected with. */
export async function expectReplayRejection<E extends ReplayError>(
  run: () => Promise<unknown>,
  type: ReplayErrorClass<E>,
  fields: Partial<E>,
): Promise<E> {
  let thrown: unknown;
  try {
    await run();
  } catch (error) {
    thrown = error;
  }
  return checked(thrown, type, fields);
}

function checked<E extends ReplayError>(thrown: unknown, type: ReplayErrorClass<E>, fields: Partial<E>): E {
  expect(thrown, "expected a ReplayError").to.be.instanceOf(ReplayError);
  expect(thrown).to.be.instanceOf(type);
  expect(thrown).to.deep.include(fields);
  return thrown as E;
}

/**
 * The CLI prints the message after "error: " and users act on it: one line, one sentence ending in a full stop,
 * naming what is at fault (a file, flag or setting).
 */
export function expectOneSentenceNaming(error: ReplayError, named: string): void {
  expect(error.message).to.not.match(/[\r\n]/);
  expect(error.message.endsWith("."), error.message).to.equal(true);
  expect(error.message.slice(0, -1), error.message).to.not.match(/\.\s+[A-Z]/);
  expect(error.message).to.include(named);
}
