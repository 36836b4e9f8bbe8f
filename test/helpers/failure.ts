import { expect } from "vitest";
import { InstantIdError } from "../../core/index.js";

/** The error `promise` rejects with, checked to be an InstantIdError (a promise that resolves fails the test). */
export async function failure(promise: Promise<unknown>): Promise<InstantIdError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InstantIdError);
  return error as InstantIdError;
}
