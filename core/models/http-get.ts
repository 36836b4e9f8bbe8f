import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { ErrorCode, InstantIdError } from "../errors.js";

/** Options of one GET: extra headers, cancellation, and how long the socket may stay silent. */
export interface HttpGetOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Milliseconds without any socket activity before the request is dropped (and retried by the caller). */
  readonly idleTimeoutMs: number;
  readonly maxRedirects?: number;
}

/** A response whose status is not a redirect, and the URL that finally answered. */
export interface HttpGetResult {
  readonly response: IncomingMessage;
  readonly url: string;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * Sends a GET with node:http/node:https and follows redirects (Hugging Face `resolve/` URLs
 * redirect to a CDN), keeping the headers (a `Range` must survive the hop).
 */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpGetResult> {
  let current = url;
  for (let hop = 0; hop <= (options.maxRedirects ?? 10); hop++) {
    const response = await sendGet(current, options);
    const location = response.headers.location;
    if (!redirectStatuses.has(response.statusCode ?? 0) || !location) return { response, url: current };
    response.resume();
    current = new URL(location, current).toString();
  }
  throw new InstantIdError(ErrorCode.Network, `GET ${url} redirected more than ${options.maxRedirects ?? 10} times; check the base URL`, {
    details: { url },
  });
}

function sendGet(url: string, options: HttpGetOptions): Promise<IncomingMessage> {
  const parsed = new URL(url);
  const send = parsed.protocol === "https:" ? httpsRequest : parsed.protocol === "http:" ? httpRequest : undefined;
  if (!send) {
    return Promise.reject(new InstantIdError(ErrorCode.InvalidOption, `Expected an http:// or https:// URL but received ${JSON.stringify(url)}`));
  }
  return new Promise((resolve, reject) => {
    const request = send(parsed, {
      method: "GET",
      headers: { "user-agent": "instantid-node", ...options.headers },
      signal: options.signal,
    });
    request.setTimeout(options.idleTimeoutMs, () => {
      request.destroy(Object.assign(new Error(`no data from ${parsed.host} for ${options.idleTimeoutMs} ms`), { code: "ETIMEDOUT" }));
    });
    request.once("response", resolve);
    // Kept for the whole request: a body that fails later must not become an unhandled error event.
    request.on("error", reject);
    request.end();
  });
}
