import type { Readable } from "node:stream";
import type { Response } from "undici";
import type { z } from "zod";
import { ErrorCode, InstantIdError } from "../../core/index.js";
import { fetchWithProxy, readCapped } from "../../core/internal.js";
import { parseJson, parseJsonAnswer } from "./answer.js";
import { writeBodyToFile } from "./body-to-file.js";
import { cappedBody } from "./capped-body.js";
import { describeServerError } from "./server-message.js";

/** Largest answer read by default (A1111 returns its images base64 in JSON; 256 MiB holds a big batch). */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/** How to reach a server: where it is, who we are, and how patient to be. */
export interface HttpClientOptions {
  /** Root URL of the server, e.g. `http://127.0.0.1:7860`. */
  readonly baseUrl: string;
  /** HTTP basic auth (A1111's `--api-auth user:pass`). */
  readonly auth?: { readonly username: string; readonly password: string };
  /** Per-request timeout in milliseconds (default 60 000). */
  readonly timeoutMs?: number;
  /** Extra attempts after a connection error or a 5xx answer (default 2); see {@link HttpRequest.retry}. */
  readonly retries?: number;
  /** Wait before the first retry; doubles each time (default 500 ms). */
  readonly backoffMs?: number;
  /** Largest answer body accepted, in bytes (default 256 MiB); a larger one is refused as it streams in. */
  readonly maxResponseBytes?: number;
  /** Name of the server in messages, e.g. "A1111 server". */
  readonly what: string;
  /** Hint appended to "cannot reach" errors, e.g. "start it with --api". */
  readonly reachHint?: string;
  /** Environment the proxy variables (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) are read from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** One request: method, path (with query), and an optional JSON, form or raw body. */
export interface HttpRequest {
  readonly method?: "GET" | "POST";
  readonly path: string;
  readonly json?: unknown;
  /** A multipart/form-data body: fetch writes it, with its boundary, from the platform's `FormData`. */
  readonly form?: FormData;
  readonly body?: Uint8Array;
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Statuses that are answers, not errors (e.g. 404 when probing a route). */
  readonly accept?: readonly number[];
  /**
   * Whether the request may be sent again after it may have reached the server (a dropped connection,
   * a timeout, a 5xx). Defaults to true for GET and false for POST: a generation must never run twice.
   * A connection that was refused outright is retried either way, since nothing reached the server.
   */
  readonly retry?: boolean;
  /** Largest answer accepted for this request (default: the client's `maxResponseBytes`). */
  readonly maxBytes?: number;
}

/** A server's answer, body read in full. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/** A server's answer streamed into a file by {@link HttpClient.download}. */
export interface HttpDownload {
  readonly status: number;
  readonly headers: Headers;
  /** The file written (complete: it appears only once the whole body arrived). */
  readonly path: string;
  readonly bytes: number;
}

/** Options of {@link HttpClient.download}. */
export interface DownloadOptions {
  /** Sees the body's first 64 bytes before the file is kept (e.g. to refuse an HTML page where an image was due). */
  readonly checkStart?: (start: Uint8Array) => void;
}

/** Reads the body of an answer the caller wants (a 2xx or an accepted status), under `limit` bytes. */
type BodyReader<T> = (response: Response, limit: number, tooLarge: (received: number) => InstantIdError) => Promise<T>;

/** Socket-level codes of a connection that never opened: the request cannot have reached the server. */
const neverConnectedCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);
const droppedCodes = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);

/** Where a fetch failure came from at the socket level, if it did. */
function connectionCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (neverConnectedCodes.has(code) || droppedCodes.has(code))) return code;
    if ((current as Error).message === "other side closed" || (current as Error).message === "socket hang up") return "ECONNRESET";
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** What one attempt ended with, when it did not end with an answer. */
interface AttemptFailure {
  readonly error: InstantIdError;
  /** True when the request may have reached the server (so only an idempotent one is sent again). */
  readonly reached: boolean;
  /** True when another attempt could succeed at all. */
  readonly transient: boolean;
}

/**
 * A small HTTP client for the SD servers: base URL, basic auth, proxies, timeouts, capped answers,
 * and retries with exponential backoff on connection errors and 5xx answers, for requests that are
 * safe to repeat. Every failure is an {@link InstantIdError} that carries the server's own message.
 * Timers are plain `setTimeout`s, so tests drive them with fake timers.
 */
export class HttpClient {
  readonly baseUrl: string;
  private readonly options: HttpClientOptions;

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  /** Headers every request carries (auth), for other transports such as the websocket. */
  authHeaders(): Record<string, string> {
    const auth = this.options.auth;
    if (!auth) return {};
    return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}` };
  }

  /** Sends a request, retrying where that is safe, and returns the answer or throws a typed error. */
  async request(request: HttpRequest): Promise<HttpResponse> {
    const { status, headers, body } = await this.send(request, (response, limit, tooLarge) => readCapped(response, limit, tooLarge));
    return { status, headers, body };
  }

  /**
   * Sends a request and streams a successful answer's body straight into `path`, never holding it whole
   * in memory: `<path>.part` is written and renamed on success, and removed when the cap
   * (`maxBytes` / `maxResponseBytes`), `checkStart`, a dropped connection, the timeout or the disk stops it.
   * Retried like {@link HttpClient.request} (a GET from scratch); error statuses are reported as there.
   */
  async download(request: HttpRequest, path: string, options: DownloadOptions = {}): Promise<HttpDownload> {
    const { status, headers, body } = await this.send({ ...request, accept: undefined }, (response, limit, tooLarge) =>
      writeBodyToFile(response, path, { limit, tooLarge, checkStart: options.checkStart }),
    );
    return { status, headers, path, bytes: body };
  }

  /**
   * Sends a request and hands a successful answer's body to `consume` as a stream, so a large answer is never
   * whole in memory (a JSON answer parsed as it arrives). The cap applies as the body streams in. A dropped
   * connection or the timeout reaches `consume` as the stream's error: let it through, and it is reported as by
   * {@link HttpClient.request}. Retried like it, where that is safe (`consume` then runs again on the new
   * answer, so it must start afresh); error statuses are reported as there. Whatever `consume` leaves unread
   * is dropped, so the connection is freed.
   */
  async stream<T>(request: HttpRequest, consume: (body: Readable) => Promise<T>): Promise<T> {
    const { body } = await this.send({ ...request, accept: undefined }, async (response, limit, tooLarge) => {
      const capped = await cappedBody(response, { limit, tooLarge });
      try {
        return await consume(capped);
      } finally {
        capped.destroy();
      }
    });
    return body;
  }

  private async send<T>(request: HttpRequest, read: BodyReader<T>): Promise<{ status: number; headers: Headers; body: T }> {
    const method = methodOf(request);
    const idempotent = request.retry ?? method === "GET";
    const attempts = 1 + (this.options.retries ?? 2);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(request, attempt, read);
      if (!("error" in outcome)) return outcome;
      const again = outcome.transient && attempt < attempts && (idempotent || !outcome.reached);
      if (!again) throw this.final(outcome, method, request.path, idempotent);
      await this.backoff(attempt, request.signal);
    }
  }

  /** GET or POST returning parsed JSON, unchecked (prefer {@link HttpClient.answer}). */
  async json<T>(request: HttpRequest): Promise<T> {
    const response = await this.request(request);
    return parseJson<T>(response.body, this.describe(request));
  }

  /** GET or POST returning JSON checked against `schema`: an answer of another shape is a SERVER error quoting it. */
  async answer<S extends z.ZodType>(request: HttpRequest, schema: S): Promise<z.infer<S>> {
    const response = await this.request(request);
    return parseJsonAnswer(schema, response.body, `The ${this.options.what}'s answer to ${this.describe(request)}`);
  }

  private describe(request: HttpRequest): string {
    return `${methodOf(request)} ${request.path} on the ${this.options.what}`;
  }

  private final(failure: AttemptFailure, method: string, path: string, idempotent: boolean): InstantIdError {
    if (idempotent || !failure.reached || !failure.transient || failure.error.code !== ErrorCode.Network) return failure.error;
    return new InstantIdError(
      ErrorCode.Network,
      `${failure.error.message} ${method} ${path} was not sent again: the ${this.options.what} may already have run it (check ` +
        `its output or queue before retrying).`,
      { cause: failure.error.cause, details: { ...failure.error.details, resent: false } },
    );
  }

  private async attempt<T>(
    request: HttpRequest,
    attempt: number,
    read: BodyReader<T>,
  ): Promise<{ status: number; headers: Headers; body: T } | AttemptFailure> {
    const url = `${this.baseUrl}${request.path}`;
    const method = methodOf(request);
    const timeoutMs = request.timeoutMs ?? this.options.timeoutMs ?? 60_000;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    request.signal?.addEventListener("abort", onAbort, { once: true });
    if (request.signal?.aborted) controller.abort();
    const headers: Record<string, string> = { accept: "application/json", ...this.authHeaders(), ...request.headers };
    let body: Uint8Array | string | FormData | undefined = request.form ?? request.body;
    if (request.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(request.json);
    }
    let status: number | undefined;
    try {
      const response = await fetchWithProxy(url, { method, headers, body, signal: controller.signal, env: this.options.env });
      status = response.status;
      const limit = request.maxBytes ?? this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
      const tooLarge = (received: number) => this.tooLarge(method, request.path, received, limit);
      if (response.ok || request.accept?.includes(response.status))
        return { status: response.status, headers: response.headers as unknown as Headers, body: await read(response, limit, tooLarge) };
      return this.statusError(method, request.path, response.status, await readCapped(response, limit, tooLarge), attempt);
    } catch (error) {
      if (error instanceof InstantIdError) return { error, reached: true, transient: false };
      if (request.signal?.aborted) {
        return {
          error: new InstantIdError(ErrorCode.Aborted, `${method} ${request.path} on the ${this.options.what} was cancelled`, {
            cause: error,
          }),
          reached: true,
          transient: false,
        };
      }
      if (timedOut) {
        const error2 = new InstantIdError(
          ErrorCode.Network,
          `${method} ${url} timed out after ${timeoutMs / 1000} s; the ${this.options.what} may be busy: raise the timeout or try again`,
          { cause: error, details: { timeoutMs } },
        );
        return { error: error2, reached: true, transient: false };
      }
      if (status !== undefined && status >= 400) return this.statusError(method, request.path, status, undefined, attempt, error);
      return this.connectionFailure(error, attempt, status);
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener("abort", onAbort);
    }
  }

  private connectionFailure(error: unknown, attempt: number, status: number | undefined): AttemptFailure {
    const code = connectionCode(error) ?? (error as Error).message;
    const reached = status !== undefined || !neverConnectedCodes.has(code);
    const hint = this.options.reachHint ? ` ${this.options.reachHint}` : "";
    const attempts = `after ${attempt} attempt${attempt > 1 ? "s" : ""}`;
    const message =
      status !== undefined
        ? `The ${this.options.what} at ${this.baseUrl} answered HTTP ${status} but the connection dropped while its answer was ` +
          `read (${code}, ${attempts}).`
        : reached
          ? `The connection to the ${this.options.what} at ${this.baseUrl} dropped before it answered (${code}, ${attempts}); ` +
            `check that it is running and stable.${hint}`
          : `Cannot reach the ${this.options.what} at ${this.baseUrl} (${code}) ${attempts}; check that it is running and that ` +
            `the URL is right.${hint}`;
    return {
      error: new InstantIdError(ErrorCode.Network, message, {
        cause: error,
        details: { code, reached, ...(status === undefined ? {} : { status }) },
      }),
      reached,
      transient: true,
    };
  }

  private tooLarge(method: string, path: string, received: number, limit: number): InstantIdError {
    return new InstantIdError(
      ErrorCode.Server,
      `The ${this.options.what} answered ${method} ${path} with more than ${limit} bytes (${received} so far), so the answer was ` +
        `refused; raise maxResponseBytes if it is expected`,
      { details: { limit, received } },
    );
  }

  /** An error status: the server's message when the body says one, even if the body was cut short. */
  private statusError(
    method: string,
    path: string,
    status: number,
    body: Uint8Array | undefined,
    attempt: number,
    cause?: unknown,
  ): AttemptFailure {
    const serverMessage = body ? describeServerError(body) : "(the body was cut short)";
    const hint =
      status === 401 || status === 403
        ? " The server wants credentials: pass --auth user:password (A1111 --api-auth)."
        : status === 404
          ? ` The route is missing: is this the right kind of server, and is its API enabled?`
          : "";
    const error = new InstantIdError(
      ErrorCode.Server,
      `The ${this.options.what} answered ${method} ${path} with HTTP ${status}${attempt > 1 ? ` (attempt ${attempt})` : ""}: ` +
        `${serverMessage}.${hint}`,
      {
        cause,
        details: {
          status,
          serverMessage,
          body: body ? new TextDecoder().decode(body.subarray(0, 4000)) : undefined,
          retryable: status >= 500,
        },
      },
    );
    return { error, reached: true, transient: status >= 500 };
  }

  private backoff(attempt: number, signal?: AbortSignal): Promise<void> {
    const delay = (this.options.backoffMs ?? 500) * 2 ** (attempt - 1);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(new InstantIdError(ErrorCode.Aborted, `Cancelled while waiting to retry the ${this.options.what}`));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, delay);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

function methodOf(request: HttpRequest): "GET" | "POST" {
  return request.method ?? (request.json === undefined && request.body === undefined && request.form === undefined ? "GET" : "POST");
}

export { parseJson };
