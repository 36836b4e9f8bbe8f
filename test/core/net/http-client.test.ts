import { afterEach, describe, expect, it } from "vitest";
import { HttpClient, InstantIdError } from "../../../core/index.js";
import { sendJson, sleep, startServer, type RunningServer } from "../../mocks/http-server.js";

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function failure(promise: Promise<unknown>): Promise<InstantIdError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(InstantIdError);
  return error as InstantIdError;
}

describe("HttpClient", () => {
  it("retries 5xx answers with doubling backoff and returns the first success", async () => {
    const times: number[] = [];
    running = await startServer((_, response) => {
      times.push(Date.now());
      sendJson(response, times.length < 3 ? 503 : 200, times.length < 3 ? { detail: "busy" } : { ok: true });
    });
    const client = new HttpClient({ baseUrl: `${running.url}/`, what: "test server", backoffMs: 40 });
    expect(await client.json({ path: "/x" })).toEqual({ ok: true });
    expect(times).toHaveLength(3);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(times[1] - times[0]);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(35);
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
