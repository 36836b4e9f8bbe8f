import { UnrecoverableError } from "bullmq";
import { describe, expect, it } from "vitest";
import { ErrorCode, InstantIdError } from "../../../core/index.js";
import { failureError, isRetryable } from "../../../adapters/queue/index.js";
import { failureReason, toQueueFailure } from "../../../adapters/queue/failure.js";

describe("queue failures", () => {
  it("retries what the typed error marks retryable (5xx, dropped connections) and nothing that fails the same way again", () => {
    expect(isRetryable(new InstantIdError(ErrorCode.Server, "503", { details: { retryable: true, status: 503 } }))).toBe(true);
    expect(isRetryable(new InstantIdError(ErrorCode.Server, "422", { details: { retryable: false, status: 422 } }))).toBe(false);
    expect(isRetryable(new InstantIdError(ErrorCode.Network, "ECONNRESET"))).toBe(true);
    expect(isRetryable(new InstantIdError(ErrorCode.Network, "bad URL", { details: { retryable: false } }))).toBe(false);
    expect(isRetryable(new InstantIdError(ErrorCode.InvalidInput, "malformed"))).toBe(false);
    expect(isRetryable(new InstantIdError(ErrorCode.ModelNotFound, "no unet"))).toBe(false);
  });

  it("hands BullMQ an UnrecoverableError for a fault that will not pass, a plain Error otherwise", () => {
    expect(toQueueFailure(new InstantIdError(ErrorCode.InvalidInput, "x"))).toBeInstanceOf(UnrecoverableError);
    const retry = toQueueFailure(new InstantIdError(ErrorCode.Network, "reset"));
    expect(retry).not.toBeInstanceOf(UnrecoverableError);
    expect(retry.message).toBe("NETWORK: reset");
    expect(toQueueFailure(new TypeError("boom")).message).toBe("INTERNAL: boom");
  });

  it("reads the typed error back from BullMQ's failedReason", () => {
    const error = failureError(failureReason(new InstantIdError(ErrorCode.Server, "HTTP 500: CUDA out of memory")), "17");
    expect(error.code).toBe(ErrorCode.Server);
    expect(error.message).toBe("Generation job 17 failed: HTTP 500: CUDA out of memory");
    expect(failureError("job stalled more than allowable limit", "3").code).toBe(ErrorCode.Internal);
    expect(failureError("NOT_A_CODE: x", "3").message).toMatch(/NOT_A_CODE: x/);
  });
});
