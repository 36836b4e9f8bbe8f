import type { Response } from "undici";
import { ErrorCode, InstantIdError } from "../errors.js";
import { fetchWithProxy } from "../http/fetch.js";

/** Options of one GET: extra headers, cancellation, how long the connection may stay silent, and the proxy environment. */
export interface HttpGetOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Milliseconds without any data before the request is dropped (and retried by the caller). */
  readonly idleTimeoutMs: number;
  /** Environment the proxy variables are read from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** An answer whose body is read through {@link HttpGetResult.chunks}, each chunk restarting the idle timer. */
export interface HttpGetResult {
  readonly response: Response;
  /** The body's chunks; a silence longer than the idle timeout ends them with an ETIMEDOUT error. */
  chunks(): AsyncGenerator<Uint8Array>;
  /** Stops the request (and its idle timer) without reading the rest. */
  cancel(): Promise<void>;
}

/**
 * Sends a GET with the SDK's HTTP stack (fetch through `HTTPS_PROXY` / `NO_PROXY`), following redirects
 * as fetch does (Hugging Face `resolve/` URLs redirect to a CDN; a `Range` survives the hop). Silence
 * longer than `idleTimeoutMs`, before the headers or between chunks, aborts it with code ETIMEDOUT.
 */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpGetResult> {
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new InstantIdError(ErrorCode.InvalidOption, `Expected an http:// or https:// URL but received ${JSON.stringify(url)}`);
  }
  const controller = new AbortController();
  const idle = idleTimer(controller, parsed.host, options.idleTimeoutMs);
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const done = () => {
    idle.stop();
    options.signal?.removeEventListener("abort", onAbort);
  };
  let response: Response;
  try {
    response = await fetchWithProxy(url, {
      headers: { "user-agent": "instantid-node", ...options.headers },
      signal: controller.signal,
      env: options.env,
    });
  } catch (error) {
    done();
    throw idle.expired ? idle.error : error;
  }
  idle.touch();
  return {
    response,
    async *chunks() {
      try {
        if (!response.body) return;
        for await (const chunk of response.body) {
          idle.touch();
          yield chunk;
        }
      } catch (error) {
        throw idle.expired ? idle.error : error;
      } finally {
        done();
      }
    },
    async cancel() {
      done();
      await response.body?.cancel().catch(() => undefined);
    },
  };
}

function idleTimer(controller: AbortController, host: string, ms: number) {
  const state = {
    expired: false,
    error: Object.assign(new Error(`no data from ${host} for ${ms} ms`), { code: "ETIMEDOUT" }),
    timer: undefined as NodeJS.Timeout | undefined,
    touch() {
      clearTimeout(state.timer);
      state.timer = setTimeout(() => {
        state.expired = true;
        controller.abort(state.error);
      }, ms);
    },
    stop: () => clearTimeout(state.timer),
  };
  state.touch();
  return state;
}
