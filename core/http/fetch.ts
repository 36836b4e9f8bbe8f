import { fetch as undiciFetch, type RequestInit, type Response } from "undici";
import { dispatcherFor } from "./proxy.js";

/** Options of {@link fetchWithProxy}: fetch's own, and the environment the proxy variables are read from. */
export interface FetchOptions extends Omit<RequestInit, "dispatcher"> {
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The SDK's one HTTP stack: undici's fetch (what Node's global fetch is built on), through the proxy
 * that `HTTPS_PROXY` / `HTTP_PROXY` name unless `NO_PROXY` exempts the host. Node 20's global fetch
 * ignores those variables, hence the explicit dispatcher.
 */
export function fetchWithProxy(url: string, options: FetchOptions = {}): Promise<Response> {
  const { env, ...init } = options;
  return undiciFetch(url, { ...init, dispatcher: dispatcherFor(new URL(url), env) });
}

/**
 * Reads a body to its end, refusing it as soon as it passes `limit` bytes (the declared length is
 * checked first). `tooLarge` builds the error, so each caller names its server and option.
 */
export async function readCapped(response: Response, limit: number, tooLarge: (received: number) => Error): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(declared);
  }
  if (!response.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(received);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}
