import { ErrorCode, InstantIdError } from "../errors.js";

/**
 * Runs `work` under one deadline: the signal it receives aborts when `ms` pass or when `signal`
 * aborts, and a deadline that fired turns whatever `work` then throws into one NETWORK error naming
 * `what` and the time. `onTimeout` runs first (e.g. to tell the server to stop). The timer is a plain
 * `setTimeout`, cleared when `work` ends, so nothing waits on it afterwards and tests can fake it.
 */
export async function withDeadline<T>(
  ms: number,
  what: string,
  work: (signal: AbortSignal) => Promise<T>,
  options: { signal?: AbortSignal; onTimeout?: () => Promise<unknown> | undefined } = {},
): Promise<T> {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort();
  }, ms);
  const onAbort = () => controller.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  try {
    return await work(controller.signal);
  } catch (error) {
    if (!expired) throw error;
    await Promise.resolve(options.onTimeout?.()).catch(() => undefined);
    throw new InstantIdError(
      ErrorCode.Network,
      `${what} did not finish within ${ms / 1000} s; raise the timeout (--timeout) if the server is just slow`,
      {
        cause: error,
        details: { timeoutMs: ms },
      },
    );
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** Waits `ms`, or rejects as soon as `signal` aborts (the timer is cleared then, not left running). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new InstantIdError(ErrorCode.Aborted, "Cancelled"));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InstantIdError(ErrorCode.Aborted, "Cancelled"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
