import { ErrorCode, InstantIdError } from "../errors.js";

/** Node error codes of a connection that dropped or never came up for a passing reason. */
const transientCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ERR_STREAM_PREMATURE_CLOSE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERESTART",
]);

/** Node error codes of a local write that failed: the disk, not the network, is at fault. */
const diskCodes = new Set(["ENOSPC", "EDQUOT", "EACCES", "EPERM", "EROFS", "EISDIR", "ENOTDIR"]);

/** Statuses worth asking again for: timeouts, rate limits and server-side failures. */
function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The `.part` file a download writes before its final rename. */
export function partialFileName(destination: string): string {
  return `${destination}.part`;
}

/** An HTTP error answer as an InstantIdError; `details.status` carries the status. */
export function httpStatusError(url: string, status: number, statusText?: string): InstantIdError {
  const hint =
    status === 404
      ? "the file is not at that URL; check the base URL"
      : status === 401 || status === 403
        ? "the server refused access"
        : "the server failed";
  return new InstantIdError(ErrorCode.Network, `GET ${url} answered HTTP ${status}${statusText ? ` ${statusText}` : ""}: ${hint}`, {
    details: { url, status, retryable: retryableStatus(status) },
  });
}

/** The first Node or undici error code along the `cause` chain (fetch wraps socket errors as "terminated"). */
function errorCode(error: unknown): string | undefined {
  let current = error as { code?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; depth < 4 && current; depth++) {
    if (typeof current.code === "string") return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}

/** Whether a failed attempt may succeed when tried again. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof InstantIdError) return error.details?.retryable === true;
  const code = errorCode(error);
  return typeof code === "string" && transientCodes.has(code);
}

/** The final error once retries are spent (or for a failure that is not worth retrying). */
export function networkFailure(error: unknown, url: string, part: string, requests: number): InstantIdError {
  if (error instanceof InstantIdError && !isRetryable(error)) return error;
  const text = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  if (typeof code === "string" && diskCodes.has(code)) {
    return new InstantIdError(
      ErrorCode.Internal,
      `Could not write ${part} while downloading ${url}: ${text}. Free disk space or fix the folder's permissions, then pull again`,
      {
        cause: error,
        details: { url, partial: part, code },
      },
    );
  }
  const status = error instanceof InstantIdError ? error.details?.status : undefined;
  const why = code && !text.includes(code) ? `${text} (${code})` : text;
  return new InstantIdError(
    ErrorCode.Network,
    `Download of ${url} failed after ${requests} request${requests === 1 ? "" : "s"}: ${why}. Bytes received so far stay in ` +
      `${part}; run the same command again to resume`,
    { cause: error, details: { url, partial: part, requests, ...(status === undefined ? {} : { status }) } },
  );
}
