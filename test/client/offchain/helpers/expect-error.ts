import { expect } from "chai";

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** Runs `action`, asserts it throws an instance of `type`, and returns the error for field checks. */
export function expectThrows<E extends Error>(action: () => unknown, type: ErrorClass<E>): E {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  return assertErrorType(thrown, type);
}

/** Async variant of `expectThrows`. */
export async function expectRejects<E extends Error>(action: () => Promise<unknown>, type: ErrorClass<E>): Promise<E> {
  let thrown: unknown;
  try {
    await action();
  } catch (error) {
    thrown = error;
  }
  return assertErrorType(thrown, type);
}

function assertErrorType<E extends Error>(thrown: unknown, type: ErrorClass<E>): E {
  expect(thrown, "expected an error to be thrown").to.not.equal(undefined);
  expect(thrown).to.be.instanceOf(type);
  return thrown as E;
}
