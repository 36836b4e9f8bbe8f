import { Agent, ProxyAgent, type Dispatcher } from "undici";

/** The proxy `url` goes through per `HTTPS_PROXY`/`HTTP_PROXY` (either case) and `NO_PROXY`, or undefined to go direct. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const proxy =
    url.protocol === "https:"
      ? (env.https_proxy ?? env.HTTPS_PROXY ?? env.http_proxy ?? env.HTTP_PROXY)
      : (env.http_proxy ?? env.HTTP_PROXY);
  if (!proxy) return undefined;
  return bypassed(url, env.no_proxy ?? env.NO_PROXY ?? "") ? undefined : proxy;
}

/**
 * Whether `NO_PROXY` exempts `url`, as curl reads it: `*` exempts everything; otherwise comma- or
 * space-separated hosts, each matching itself and its subdomains (a leading dot or `*.` is optional),
 * optionally with `:port`.
 */
function bypassed(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === "*") return true;
    const match = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[|\](?=:|$)/g, ""))!;
    const name = match[1].replace(/^\*?\./, "");
    if (match[2] && match[2] !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

const dispatchers = new Map<string, Dispatcher>();

/** The undici dispatcher for `url`: a shared proxy agent per proxy URL, or the direct agent. */
export function dispatcherFor(url: URL, env: NodeJS.ProcessEnv = process.env): Dispatcher {
  const proxy = proxyFor(url, env);
  const key = proxy ?? "direct";
  let dispatcher = dispatchers.get(key);
  if (!dispatcher) {
    dispatcher = proxy ? new ProxyAgent(proxy) : new Agent();
    dispatchers.set(key, dispatcher);
  }
  return dispatcher;
}
