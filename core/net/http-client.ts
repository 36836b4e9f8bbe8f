import { ErrorCode, InstantIdError } from "../errors.js";
import { describeServerError } from "./server-message.js";

/** How to reach a server: where it is, who we are, and how patient to be. */
export interface HttpClientOptions {
  /** Root URL of the server, e.g. `http://127.0.0.1:7860`. */
  readonly baseUrl: string;
  /** HTTP basic auth (A1111's `--api-auth user:pass`). */
  readonly auth?: { readonly username: string; readonly password: string };
  /** Per-request timeout in milliseconds (default 60 000). */
  readonly timeoutMs?: number;
  /** Extra attempts after a connection error or a 5xx answer (default 2). */
  readonly retries?: number;
  /** Wait before the first retry; doubles each time (default 500 ms). */
  readonly backoffMs?: number;
  /** Name of the server in messages, e.g. "A1111 server". */
  readonly what: string;
  /** Hint appended to "cannot reach" errors, e.g. "start it with --api". */
  readonly reachHint?: string;
}

/** One request: method, path (with query), and an optional JSON or raw body. */
export interface HttpRequest {
  readonly method?: "GET" | "POST";
  readonly path: string;
  readonly json?: unknown;
  readonly body?: Uint8Array;
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Statuses that are answers, not errors (e.g. 404 when probing a route). */
  readonly accept?: readonly number[];
  /** False for requests that must not be sent twice. Defaults to true. */
  readonly retry?: boolean;
}

/** A server's answer, body read in full. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

const connectionCodes = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);

/** Where a fetch failure came from at the socket level, if it did. */
function connectionCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && connectionCodes.has(code)) return code;
    if ((current as Error).message === "other side closed" || (current as Error).message === "socket hang up") return "ECONNRESET";
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A small HTTP client for the SD servers: base URL, basic auth, timeouts, and retries with
 * exponential backoff on connection errors and 5xx answers only. Every failure is an
 * {@link InstantIdError} that carries the server's own message.
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
    const attempts = 1 + (request.retry === false ? 0 : (this.options.retries ?? 2));
    let lastFailure: InstantIdError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await this.backoff(attempt, request.signal);
      const outcome = await this.attempt(request, attempt + 1);
      if (!(outcome instanceof InstantIdError)) return outcome;
      lastFailure = outcome;
      if (!outcome.details?.retryable) break;
    }
    throw lastFailure!;
  }

  /** GET or POST returning parsed JSON. */
  async json<T>(request: HttpRequest): Promise<T> {
    const response = await this.request(request);
    return parseJson<T>(response.body, `${request.method ?? "GET"} ${request.path} on the ${this.options.what}`);
  }

  private async attempt(request: HttpRequest, attempt: number): Promise<HttpResponse | InstantIdError> {
    const url = `${this.baseUrl}${request.path}`;
    const method = request.method ?? (request.json === undefined && request.body === undefined ? "GET" : "POST");
    const timeoutMs = request.timeoutMs ?? this.options.timeoutMs ?? 60_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: "application/json", ...this.authHeaders(), ...request.headers };
    let body: Uint8Array | string | undefined = request.body;
    if (request.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(request.json);
    }
    try {
      const response = await fetch(url, { method, headers, body, signal });
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (response.ok || request.accept?.includes(response.status)) return { status: response.status, headers: response.headers, body: bytes };
      return this.statusError(method, request.path, response.status, bytes, attempt);
    } catch (error) {
      if (request.signal?.aborted) {
        return new InstantIdError(ErrorCode.Aborted, `${method} ${request.path} on the ${this.options.what} was cancelled`, { cause: error });
      }
      if (timeout.aborted) {
        return new InstantIdError(
          ErrorCode.Network,
          `${method} ${url} timed out after ${timeoutMs / 1000} s; the ${this.options.what} may be busy: raise the timeout or try again`,
          { cause: error, details: { retryable: false } },
        );
      }
      const code = connectionCode(error) ?? (error as Error).message;
      const hint = this.options.reachHint ? ` ${this.options.reachHint}` : "";
      return new InstantIdError(
        ErrorCode.Network,
        `Cannot reach the ${this.options.what} at ${this.baseUrl} (${code}) after ${attempt} attempt${attempt > 1 ? "s" : ""}; check that it is running and that the URL is right.${hint}`,
        { cause: error, details: { retryable: true, code } },
      );
    }
  }

  private statusError(method: string, path: string, status: number, body: Uint8Array, attempt: number): InstantIdError {
    const serverMessage = describeServerError(body);
    const hint =
      status === 401 || status === 403
        ? " The server wants credentials: pass --auth user:password (A1111 --api-auth)."
        : status === 404
          ? ` The route is missing: is this the right kind of server, and is its API enabled?`
          : "";
    return new InstantIdError(
      ErrorCode.Server,
      `The ${this.options.what} answered ${method} ${path} with HTTP ${status}${attempt > 1 ? ` (attempt ${attempt})` : ""}: ${serverMessage}.${hint}`,
      { details: { status, serverMessage, body: new TextDecoder().decode(body).slice(0, 4000), retryable: status >= 500 } },
    );
  }

  private backoff(attempt: number, signal?: AbortSignal): Promise<void> {
    const delay = (this.options.backoffMs ?? 500) * 2 ** (attempt - 1);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, delay);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(new InstantIdError(ErrorCode.Aborted, `Cancelled while waiting to retry the ${this.options.what}`));
      });
    });
  }
}

/** Parses a JSON body, or says which answer was not JSON. */
export function parseJson<T>(body: Uint8Array, what: string): T {
  const text = new TextDecoder().decode(body);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new InstantIdError(
      ErrorCode.Server,
      `Expected JSON from ${what} but received ${JSON.stringify(text.slice(0, 80))}; is this the right kind of server?`,
      { cause: error },
    );
  }
}
