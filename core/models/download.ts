import type { Hash } from "node:crypto";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { ErrorCode, InstantIdError } from "../errors.js";
import { delay } from "../http/deadline.js";
import type { ProgressListener } from "../progress.js";
import { writeFully } from "../io/atomic.js";
import { hashFileInto, sha256Hasher } from "../io/sha256.js";
import { gitBlobId, gitBlobIdOfEtag } from "./git-blob.js";
import { httpGet, type HttpGetResult } from "./http-get.js";
import { httpStatusError, isRetryable, networkFailure, partialFileName } from "./download-errors.js";

/** What to fetch, where to put it, and what it must be. */
export interface DownloadOptions {
  readonly url: string;
  /** Final path; bytes go to `<destination>.part` and are renamed here only once verified. */
  readonly destination: string;
  /** Expected size in bytes, when known. */
  readonly size?: number;
  /** Expected lower-case hex SHA-256, when known. */
  readonly sha256?: string;
  readonly onProgress?: ProgressListener;
  /** Stage name of the progress events (default: the destination path). */
  readonly label?: string;
  readonly signal?: AbortSignal;
  /** Attempts after a dropped connection or a 5xx that made no progress (default 5). */
  readonly retries?: number;
  /** First back-off delay in ms, doubled after each failure without progress (default 1000). */
  readonly retryDelayMs?: number;
  /** Milliseconds of silence before the connection is dropped and retried (default 60000). */
  readonly idleTimeoutMs?: number;
  /**
   * Largest file accepted when `size` is not known (default 64 MiB): a server streaming more is cut
   * off. With `size`, the download stops at it: a byte past it fails the download.
   */
  readonly maxBytes?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Checks the content of the whole, size- and digest-checked `.part` file before it is renamed into place
   * (for files without a published digest); a throw deletes the `.part` file and fails the download with it.
   */
  readonly checkContent?: (part: string) => Promise<void>;
  /**
   * For a plain Git file on Hugging Face: the server's ETag is the file's Git blob id (the only digest
   * the hub publishes for it), and the download must match it. An answer without such an ETag is
   * accepted on the other checks.
   */
  readonly gitBlobEtag?: boolean;
  /** Environment the proxy variables (`HTTPS_PROXY`, `NO_PROXY`) are read from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The cap on a download whose size is not published (config files are kilobytes). */
export const DEFAULT_MAX_UNSIZED_BYTES = 64 * 1024 * 1024;

/** A finished, verified download. */
export interface DownloadResult {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Bytes already present in the `.part` file when the first request was sent. */
  readonly resumedFrom: number;
  /** Requests sent, redirects not counted. */
  readonly requests: number;
}

interface AttemptState {
  requests: number;
  resumedFrom?: number;
  /** The Git blob id the server's ETag published, when asked for and sent. */
  gitBlobId?: string;
}

/**
 * Downloads a file with resume and verification. Bytes are appended to `<destination>.part`;
 * an interrupted download continues from it with an HTTP `Range` request (a server that ignores
 * `Range` and answers 200 restarts it from zero). Dropped connections, timeouts and 5xx answers are
 * retried with exponential back-off. The SHA-256 is computed while streaming; when size and digest
 * match, the `.part` file is renamed to `destination`, so the final path never holds a partial file.
 *
 * A wrong size or digest deletes the `.part` file (its bytes are wrong, resuming from them can only
 * fail again) and throws a `CHECKSUM` error. HTTP errors throw `NETWORK` errors whose `details.status`
 * is the status; a cancelled download throws `ABORTED` and keeps the `.part` file for a later resume.
 */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  const part = partialFileName(options.destination);
  await mkdir(dirname(options.destination), { recursive: true });
  const state: AttemptState = { requests: 0 };
  const retries = options.retries ?? 5;
  let failures = 0;
  let longest = await partSize(part);
  for (;;) {
    try {
      const { hash, bytes } = await attempt(options, part, state);
      return await finish(options, part, hash, bytes, state);
    } catch (error) {
      if (options.signal?.aborted) throw aborted(options, part, error);
      const now = await partSize(part);
      if (now > longest) {
        longest = now;
        failures = 0;
      }
      if (!isRetryable(error) || failures >= retries) throw networkFailure(error, options.url, part, state.requests);
      failures += 1;
      await delay((options.retryDelayMs ?? 1000) * 2 ** (failures - 1), options.signal).catch(() => {});
    }
  }
}

/** One request: hashes what the `.part` file holds, asks for the rest, and appends it. */
async function attempt(options: DownloadOptions, part: string, state: AttemptState): Promise<{ hash: Hash; bytes: number }> {
  let offset = await partSize(part);
  if (options.size !== undefined && offset > options.size) offset = await restart(part);
  let hash = sha256Hasher();
  // The in-memory digest of a failed attempt may cover bytes that never reached the disk: re-read instead.
  if (offset > 0) await hashFileInto(part, hash);
  if (options.size !== undefined && offset === options.size) return { hash, bytes: offset };

  state.requests += 1;
  state.resumedFrom ??= offset;
  const get = await httpGet(options.url, {
    headers: { ...options.headers, ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) },
    signal: options.signal,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    env: options.env,
  });
  const { response } = get;
  const status = response.status;
  if (options.gitBlobEtag) state.gitBlobId = gitBlobIdOfEtag(response.headers.get("etag")) ?? state.gitBlobId;
  if (offset > 0 && status === 416) return rangeNotSatisfiable(get, part, offset, hash);
  if (status === 206 && offset > 0 && contentRangeStart(get) !== offset) {
    await get.cancel();
    await restart(part);
    throw Object.assign(new Error(`the server resumed at another offset than ${offset}`), { code: "ERESTART" });
  }
  if (status === 200 && offset > 0) {
    offset = await restart(part); // the server ignored Range: its body is the whole file
    hash = sha256Hasher();
  } else if (status !== 200 && status !== 206) {
    await get.cancel();
    throw httpStatusError(options.url, status, response.statusText);
  }
  const received = await appendBody(get, part, offset, hash, options);
  return { hash, bytes: offset + received };
}

/**
 * Streams the body onto the `.part` file, hashing and reporting as it goes, and stops at the expected
 * size (or the cap when the size is unknown): a server that sends more never fills the disk.
 */
async function appendBody(get: HttpGetResult, part: string, offset: number, hash: Hash, options: DownloadOptions): Promise<number> {
  const length = Number(get.response.headers.get("content-length") ?? Number.NaN);
  const total = options.size ?? (Number.isFinite(length) ? offset + length : 0);
  if (options.size !== undefined && Number.isFinite(length) && offset + length !== options.size) {
    await get.cancel();
    await rm(part, { force: true });
    throw new InstantIdError(
      ErrorCode.Checksum,
      `${options.url} offers ${offset + length} bytes but ${options.size} were expected; the server holds another file (check ` +
        `the base URL)`,
      { details: { url: options.url, expectedSize: options.size, offeredSize: offset + length } },
    );
  }
  const limit = options.size ?? options.maxBytes ?? DEFAULT_MAX_UNSIZED_BYTES;
  const report = throttledProgress(options, total);
  let received = 0;
  // Opened before any byte arrives, so a cancel at the first chunk still leaves a .part to resume from.
  const file = await open(part, offset > 0 ? "a" : "w");
  try {
    for await (const chunk of get.chunks()) {
      if (offset + received + chunk.byteLength > limit) {
        await get.cancel();
        await file.close();
        await rm(part, { force: true });
        throw tooLong(options, limit);
      }
      hash.update(chunk);
      await writeFully(file, chunk);
      received += chunk.byteLength;
      report(offset + received);
    }
  } finally {
    await file.close().catch(() => undefined);
  }
  if (Number.isFinite(length) && received < length) {
    throw Object.assign(new Error(`connection closed after ${received} of ${length} bytes`), { code: "ECONNRESET" });
  }
  report(offset + received, true);
  return received;
}

function tooLong(options: DownloadOptions, limit: number): InstantIdError {
  const what =
    options.size !== undefined
      ? `more than the expected ${options.size} bytes`
      : `more than ${limit} bytes for a file without a published size`;
  return new InstantIdError(
    ErrorCode.Checksum,
    `${options.url} sent ${what}; the download was stopped there and the partial file deleted. Check the base URL points at the ` +
      `original files`,
    {
      details: { url: options.url, limit, expectedSize: options.size },
    },
  );
}

/** Verifies size and digest, then moves the `.part` file to its final name. */
async function finish(options: DownloadOptions, part: string, hash: Hash, bytes: number, state: AttemptState): Promise<DownloadResult> {
  const digest = hash.digest("hex");
  const wrongSize = options.size !== undefined && bytes !== options.size;
  const wrongHash = options.sha256 !== undefined && digest !== options.sha256.toLowerCase();
  if (wrongSize || wrongHash) {
    await rm(part, { force: true });
    const what = wrongSize ? `${bytes} bytes instead of ${options.size}` : `SHA-256 ${digest} instead of ${options.sha256}`;
    throw new InstantIdError(
      ErrorCode.Checksum,
      `Downloaded ${options.url} but got ${what}; the partial file was deleted. Check the base URL points at the original files, ` +
        `then pull again`,
      { details: { url: options.url, bytes, sha256: digest, expectedSize: options.size, expectedSha256: options.sha256 } },
    );
  }
  if (state.gitBlobId) await checkGitBlobId(options, part, bytes, state.gitBlobId);
  if (options.checkContent) {
    try {
      await options.checkContent(part);
    } catch (error) {
      await rm(part, { force: true });
      throw error;
    }
  }
  // The .part file is the download's temp file, kept across attempts so a later one resumes it: renamed once verified.
  await rename(part, options.destination);
  return { path: options.destination, bytes, sha256: digest, resumedFrom: state.resumedFrom ?? bytes, requests: state.requests };
}

/** Compares the downloaded file with the Git blob id its server published; a mismatch deletes the `.part` file. */
async function checkGitBlobId(options: DownloadOptions, part: string, bytes: number, published: string): Promise<void> {
  const id = await gitBlobId(part, bytes);
  if (id === published) return;
  await rm(part, { force: true });
  throw new InstantIdError(
    ErrorCode.Checksum,
    `Downloaded ${options.url} but its Git blob id is ${id}, not the ${published} the server published for it (its ETag); the ` +
      "partial file was deleted. Pull again; if it keeps happening, check the base URL points at the original files",
    { details: { url: options.url, bytes, gitBlobId: id, expectedGitBlobId: published } },
  );
}

/** A 416 on resume: either the `.part` file is already whole (its size is the server's), or it is stale. */
async function rangeNotSatisfiable(get: HttpGetResult, part: string, offset: number, hash: Hash): Promise<{ hash: Hash; bytes: number }> {
  await get.cancel();
  const total = /\/(\d+)\s*$/.exec(get.response.headers.get("content-range") ?? "")?.[1];
  if (total !== undefined && Number(total) === offset) return { hash, bytes: offset };
  await restart(part);
  throw Object.assign(new Error(`the server refused to resume at byte ${offset}`), { code: "ERESTART" });
}

function contentRangeStart(get: HttpGetResult): number | undefined {
  const match = /^bytes\s+(\d+)-/.exec(get.response.headers.get("content-range") ?? "");
  return match ? Number(match[1]) : undefined;
}

function throttledProgress(options: DownloadOptions, total: number): (completed: number, force?: boolean) => void {
  let last = 0;
  const stage = options.label ?? options.destination;
  return (completed, force = false) => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - last < 100)) return;
    last = now;
    options.onProgress({ stage, completed, total });
  };
}

async function restart(part: string): Promise<number> {
  await rm(part, { force: true });
  return 0;
}

async function partSize(part: string): Promise<number> {
  try {
    return (await stat(part)).size;
  } catch {
    return 0;
  }
}

function aborted(options: DownloadOptions, part: string, cause: unknown): InstantIdError {
  return new InstantIdError(
    ErrorCode.Aborted,
    `Download of ${options.url} was cancelled; ${part} is kept and the next pull resumes from it`,
    {
      cause,
      details: { url: options.url, partial: part },
    },
  );
}
