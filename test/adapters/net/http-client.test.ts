import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { proxyFor } from "../../../core/internal.js";
import { HttpClient } from "../../../adapters/net/index.js";
import { sendJson, startServer, type RunningServer } from "../../mocks/http-server.js";
import { startMockProxy, type MockProxy } from "../../mocks/proxy-server.js";
import { failure } from "../../helpers/failure.js";

let running: RunningServer | undefined;
let proxy: MockProxy | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await running?.close();
  await proxy?.close();
  running = undefined;
  proxy = undefined;
});

/** Advances fake time in small steps until `promise` settles (real I/O runs in between). */
async function driveFakeTime<T>(promise: Promise<T>, stepMs = 10, maxMs = 60_000): Promise<T> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let elapsed = 0; !settled && elapsed < maxMs; elapsed += stepMs) await vi.advanceTimersByTimeAsync(stepMs);
  return promise;
}

describe("HttpClient", () => {
  it("retries 5xx answers to a GET with doubling backoff (fake timers) and returns the first success", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const times: number[] = [];
    running = await startServer((_, response) => {
      times.push(Date.now());
      sendJson(response, times.length < 3 ? 503 : 200, times.length < 3 ? { detail: "busy" } : { ok: true });
    });
    const client = new HttpClient({ baseUrl: `${running.url}/`, what: "test server", backoffMs: 40 });
    expect(await driveFakeTime(client.json({ path: "/x" }))).toEqual({ ok: true });
    expect(times).toHaveLength(3);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(40);
    expect(times[1] - times[0]).toBeLessThan(80);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(80);
  });

  it("does not retry a timeout, and says so (fake timers; the server stays silent)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let calls = 0;
    running = await startServer(() => void calls++);
    const client = new HttpClient({ baseUrl: running.url, what: "test server", backoffMs: 1, timeoutMs: 250 });
    const error = await failure(driveFakeTime(client.request({ path: "/slow" }), 50));
    expect(error.code).toBe("NETWORK");
    expect(error.message).toContain("timed out after 0.25 s");
    expect(calls).toBe(1);
  });

  it("passes statuses it is told to accept, and reports others with the server's detail list", async () => {
    running = await startServer((request, response) =>
      request.url === "/probe"
        ? sendJson(response, 404, { detail: "Not Found" })
        : sendJson(response, 422, { detail: [{ loc: ["body", "steps"], msg: "value is not a valid integer" }] }),
    );
    const client = new HttpClient({ baseUrl: running.url, what: "test server" });
    expect((await client.request({ path: "/probe", accept: [404] })).status).toBe(404);
    expect((await failure(client.request({ path: "/other" }))).message).toContain("HTTP 422: body.steps: value is not a valid integer");
  });

  it("rejects a non-JSON answer where JSON was expected", async () => {
    running = await startServer((_, response) => void response.end("<html>login</html>"));
    const client = new HttpClient({ baseUrl: running.url, what: "test server" });
    expect((await failure(client.json({ path: "/" }))).message).toContain(
      'Expected JSON from GET / on the test server but received "<html>login</html>"',
    );
  });

  it("reports JSON of the wrong shape as a SERVER error quoting what was sent", async () => {
    running = await startServer((_, response) => sendJson(response, 200, { images: [null] }));
    const client = new HttpClient({ baseUrl: running.url, what: "test server" });
    const error = await failure(client.answer({ path: "/x" }, z.object({ images: z.array(z.string()) })));
    expect(error.code).toBe("SERVER");
    expect(error.message).toContain("images.0");
    expect(error.message).toContain('it sent "{\\"images\\":[null]}"');
  });

  it("never re-sends a POST whose connection dropped after it was sent, but retries a GET", async () => {
    let calls = 0;
    running = await startServer((request) => {
      calls++;
      request.socket.destroy();
    });
    const client = new HttpClient({ baseUrl: running.url, what: "test server", backoffMs: 1 });
    const error = await failure(client.request({ method: "POST", path: "/run", json: {} }));
    expect(error.code).toBe("NETWORK");
    expect(error.message).toContain("was not sent again");
    expect(calls).toBe(1);
    await failure(client.request({ path: "/status" }));
    expect(calls).toBe(4);
  });

  it("reports an error status whose body is cut short as the server's error, not a network failure", async () => {
    running = await startServer((_, response) => {
      response.writeHead(500, { "content-length": "1000" });
      response.write('{"error": "Runtime');
      setImmediate(() => response.socket?.destroy());
    });
    const client = new HttpClient({ baseUrl: running.url, what: "test server", retries: 0 });
    const error = await failure(client.request({ method: "POST", path: "/run", json: {} }));
    expect(error.code).toBe("SERVER");
    expect(error.message).toContain("HTTP 500");
    expect(error.message).toContain("cut short");
  });

  it("refuses an answer larger than maxResponseBytes, declared or streamed, as it arrives", async () => {
    running = await startServer((request, response) => {
      if (request.url === "/declared") {
        response.writeHead(200, { "content-length": String(10 * 1024 * 1024) });
        response.write(Buffer.alloc(1024));
        return;
      }
      response.writeHead(200); // chunked: no length to check up front
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 200 && response.write(chunk)) sent++;
        if (sent < 200) response.once("drain", pump);
        else response.end();
      };
      pump();
    });
    const client = new HttpClient({ baseUrl: running.url, what: "test server", maxResponseBytes: 1024 * 1024 });
    for (const path of ["/declared", "/chunked"]) {
      const error = await failure(client.request({ path }));
      expect(error.code).toBe("SERVER");
      expect(error.message).toContain("more than 1048576 bytes");
      expect(error.details?.received as number).toBeLessThanOrEqual(10 * 1024 * 1024);
    }
  });

  it("goes through the proxy HTTP_PROXY names, unless NO_PROXY lists the host", async () => {
    running = await startServer((_, response) => sendJson(response, 200, { ok: true }));
    proxy = await startMockProxy();
    const host = new URL(running.url).host;
    const viaProxy = new HttpClient({ baseUrl: running.url, what: "test server", env: { HTTP_PROXY: proxy.url } });
    expect(await viaProxy.json({ path: "/x" })).toEqual({ ok: true });
    expect(proxy.targets.some((target) => target.includes(host))).toBe(true);
    const seen = proxy.targets.length;
    const bypass = new HttpClient({
      baseUrl: running.url,
      what: "test server",
      env: { HTTP_PROXY: proxy.url, NO_PROXY: "example.org, 127.0.0.1" },
    });
    expect(await bypass.json({ path: "/y" })).toEqual({ ok: true });
    expect(proxy.targets.length).toBe(seen);
  });
});

describe("proxyFor", () => {
  it("reads HTTPS_PROXY for https and HTTP_PROXY for http, and NO_PROXY as curl does", () => {
    const env = { HTTPS_PROXY: "http://p:3128", HTTP_PROXY: "http://q:3128", NO_PROXY: ".internal.example, mirror.example:8443" };
    expect(proxyFor(new URL("https://huggingface.co/x"), env)).toBe("http://p:3128");
    expect(proxyFor(new URL("http://127.0.0.1:7860/"), env)).toBe("http://q:3128");
    expect(proxyFor(new URL("https://a.internal.example/"), env)).toBeUndefined();
    expect(proxyFor(new URL("https://mirror.example:8443/"), env)).toBeUndefined();
    expect(proxyFor(new URL("https://mirror.example/"), env)).toBe("http://p:3128");
    expect(proxyFor(new URL("https://huggingface.co/"), { ...env, NO_PROXY: "*" })).toBeUndefined();
    expect(proxyFor(new URL("https://huggingface.co/"), {})).toBeUndefined();
  });
});
