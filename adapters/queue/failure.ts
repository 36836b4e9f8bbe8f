import { UnrecoverableError } from "bullmq";
import { ErrorCode, InstantIdError, type ErrorCode as Code } from "../../core/index.js";
import { toInstantIdError } from "../../core/internal.js";

/**
 * Whether another attempt may succeed: backend faults the typed error marks retryable (a 5xx answer,
 * a dropped connection), or a network error not marked otherwise. Bad input, missing models and
 * refused requests fail the same way every time, so they are not retried.
 */
export function isRetryable(error: InstantIdError): boolean {
  const flag = error.details?.retryable;
  if (typeof flag === "boolean") return flag;
  return error.code === ErrorCode.Network;
}

const CODES = new Set<string>(Object.values(ErrorCode));
const REASON = /^([A-Z_]+): ([\s\S]*)$/;

/** The failure text BullMQ keeps (its failedReason): `CODE: message`, which {@link failureError} reads back. */
export function failureReason(error: InstantIdError): string {
  return `${error.code}: ${error.message}`;
}

/** The typed error behind a BullMQ failedReason written by {@link failureReason}; other text becomes INTERNAL. */
export function failureError(reason: string | undefined, jobId: string): InstantIdError {
  const match = REASON.exec(reason ?? "");
  const code = match && CODES.has(match[1]) ? (match[1] as Code) : ErrorCode.Internal;
  const message = match && CODES.has(match[1]) ? match[2] : (reason ?? "no reason recorded");
  return new InstantIdError(code, `Generation job ${jobId} failed: ${message}`, { details: { jobId } });
}

/**
 * What the worker throws to BullMQ for a failed attempt: a plain Error (BullMQ retries it with backoff
 * while attempts remain) or an UnrecoverableError (straight to the failed set), with the code kept in the message.
 */
export function toQueueFailure(error: unknown): Error {
  const typed = toInstantIdError(error);
  const failure = isRetryable(typed) ? new Error(failureReason(typed)) : new UnrecoverableError(failureReason(typed));
  failure.cause = typed;
  return failure;
}
