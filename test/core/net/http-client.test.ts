import { afterEach, describe, expect, it, vi } from "vitest";
import { HttpClient, InstantIdError } from "../../../core/index.js";
import { sendJson, sleep, startServer, type RunningServer } from "../../mocks/http-server.js";

let running: RunningServer | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await running?.close();
  running = undefined;
});

/** Lets real I/O run (setImmediate is not faked) until `done` holds. */
async function turnsUntil(done: () => boolean): Promise<void> {
  for (let turn = 0; !done(); turn++) {
    if (turn > 100_000) throw new Error("the condition never held");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function failure(promise: Promise<unknown>): Promise<InstantIdError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(InstantIdError);
  return error as InstantIdError;
}

describe("HttpClient", () => {
  it("retries 5xx answers with doubling backoff and returns the first success", async () => {
    // Fake timers and clock: the backoff is read off the virtual clock, so a loaded machine cannot skew it.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const arrivals: number[] = [];
    running = await startServer((_, response) => {
      arrivals.push(Date.now());
      sendJson(response, arrivals.length < 3 ? 503 : 200, arrivals.length < 3 ? { detail: "busy" } : { ok: true });
    });
    const client = new HttpClient({ baseUrl: `${running.url}/`, what: "test server", backoffMs: 40 });
    const answer = client.json({ path: "/x" });
    for (const [attempt, backoff] of [[1, 40], [2, 80]]) {
      await turnsUntil(() => arrivals.length === attempt && vi.getTimerCount() === 1);
      await vi.advanceTimersByTimeAsync(backoff - 1);
      expect(arrivals, `no retry before the ${backoff} ms backoff is over`).toHaveLength(attempt);
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(await answer).toEqual({ ok: true });
    expect(arrivals.map((t) => t - arrivals[0])).toEqual([0, 40, 120]);
  });

  it("does not retry a timeout, and says so", async () => {
    let calls = 0;
    running = await startServer(async (_, response) => {
      calls++;
      await sleep(800);
      sendJson(response, 200, {});
    });
    const client = new HttpClient({ baseUrl: running.url, what: "test server", backoffMs: 1, timeoutMs: 250 });
    const error = await failure(client.request({ path: "/slow" }));
    expect(error.code).toBe("NETWORK");
    expect(error.message).toContain("timed out after 0.25 s");
    expect(calls).toBe(1);
  });

  it("passes statuses it is told to accept, and reports others with the server's detail list", async () => {
    running = await startServer((request, response) =>
      request.url === "/probe" ? sendJson(response, 404, { detail: "Not Found" }) : sendJson(response, 422, { detail: [{ loc: ["body", "steps"], msg: "value is not a valid integer" }] }),
    );
    const client = new HttpClient({ baseUrl: running.url, what: "test server" });
    expect((await client.request({ path: "/probe", accept: [404] })).status).toBe(404);
    expect((await failure(client.request({ path: "/other" }))).message).toContain("HTTP 422: body.steps: value is not a valid integer");
  });

  it("rejects a non-JSON answer where JSON was expected", async () => {
    running = await startServer((_, response) => void response.end("<html>login</html>"));
    const client = new HttpClient({ baseUrl: running.url, what: "test server" });
    expect((await failure(client.json({ path: "/" }))).message).toContain('Expected JSON from GET / on the test server but received "<html>login</html>"');
  });
});
