import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  buildInstantIdWorkflow,
  chooseModels,
  createComfyClient,
  objectInfoSnapshot,
  type ComfyClientOptions,
  type ComfyIdentity,
} from "../../../adapters/comfyui/index.js";
import { tempDir } from "../../helpers/shared.js";
import { startFaultProxy, type FaultProxy, type FaultRules } from "../../mocks/fault-proxy.js";
import { startMockComfy, type MockComfy, type MockComfyOptions } from "../../mocks/comfyui-server.js";
import { pngOf, texturedPng } from "../../mocks/image-check.js";
import { failure } from "../../helpers/failure.js";

/** The standing fault suite of the ComfyUI bridge: the mock server behind the fault proxy, loopback only. */
let mock: MockComfy | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await proxy?.close();
  await mock?.close();
  proxy = mock = undefined;
});

async function behindFaults(rules: FaultRules, options: Partial<ComfyClientOptions> = {}, mockOptions: MockComfyOptions = {}) {
  mock = await startMockComfy(mockOptions);
  proxy = await startFaultProxy(mock.url, rules);
  return { mock, proxy, client: createComfyClient({ baseUrl: proxy.url, backoffMs: 1, pollMs: 10, watchdogMs: 50, ...options }) };
}

async function workflow(client: ReturnType<typeof createComfyClient>) {
  const identity: ComfyIdentity = {
    image: await client.uploadImage(await texturedPng(), "face.png"),
    keypoints: await client.uploadImage(await pngOf(512, 512, 0), "kps.png"),
  };
  return buildInstantIdWorkflow({ ...chooseModels(objectInfoSnapshot), prompt: "a portrait", width: 512, height: 512, steps: 3, seed: 3 }, [
    identity,
  ]);
}

const on =
  (method: string, prefix: string, fault: ReturnType<NonNullable<FaultRules["http"]>>): FaultRules["http"] =>
  (m, path) =>
    m === method && path.startsWith(prefix) ? fault : undefined;

/** Timers (setTimeout) holding the event loop open, e.g. a poll nobody cleared. */
const liveTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

describe("ComfyUI bridge under faults", () => {
  it("reports /object_info null as the server's wrong answer", async () => {
    const { client } = await behindFaults({ http: on("GET", "/object_info", { kind: "json", text: "null" }) });
    const error = await failure(client.objectInfo());
    expect(error.code).toBe("SERVER");
    expect(error.message).toContain('it sent "null"');
  });

  it("reports /history null as a wrong answer, not a TypeError", async () => {
    const { client } = await behindFaults({ http: on("GET", "/history/", { kind: "json", text: "null" }) });
    const error = await failure(client.run(await workflow(client)));
    expect(error.code).toBe("SERVER");
    expect(error.message).toContain('it sent "null"');
  });

  it("reports a /history entry with outputs {'9': null} as a wrong answer, not a TypeError", async () => {
    const entry = (path: string) =>
      JSON.stringify({
        [decodeURIComponent(path.slice("/history/".length))]: { outputs: { 9: null }, status: { completed: true, messages: [] } },
      });
    const { client } = await behindFaults({
      http: (method, path) => (method === "GET" && path.startsWith("/history/") ? { kind: "json", text: entry(path) } : undefined),
    });
    const error = await failure(client.run(await workflow(client)));
    expect(error.code).toBe("SERVER");
    expect(error.message).toContain("outputs.9");
  });

  it("skips a websocket text frame 'null' and finishes", async () => {
    const { client } = await behindFaults({ ws: () => ({ kind: "text", text: "null" }) });
    expect((await client.run(await workflow(client))).images).toHaveLength(1);
  });

  it("queues once when the /prompt reply is lost, and says the server may have run it", async () => {
    const { client, mock } = await behindFaults({ http: on("POST", "/prompt", { kind: "drop-after-request" }) });
    const error = await failure(client.run(await workflow(client)));
    expect(error.code).toBe("NETWORK");
    expect(error.message).toContain("may already have run it");
    expect(mock.counts.promptAttempts).toBe(1);
  });

  it("holds one deadline for the whole run when /history never completes and the websocket is silent (fake timers)", async () => {
    const { client, mock } = await behindFaults(
      { http: on("GET", "/history/", { kind: "json", text: "{}" }), ws: () => ({ kind: "silent" }) },
      { generationTimeoutMs: 5000, watchdogMs: 1000, pollMs: 1000 },
    );
    const prompt = await workflow(client);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const pending = failure(client.run(prompt));
    let done = false;
    void pending.then(() => (done = true));
    for (let i = 0; i < 400 && !done; i++) await vi.advanceTimersByTimeAsync(50);
    const error = await pending;
    expect(error.code).toBe("NETWORK");
    expect(error.message).toContain("did not finish within 5 s");
    expect(mock.counts.interrupts).toBe(1);
  });

  it("leaves no timer running once a run finished (the /history watchdog is cleared)", async () => {
    const { client } = await behindFaults({}, { watchdogMs: 60_000 });
    const prompt = await workflow(client);
    const before = liveTimers();
    expect((await client.run(prompt)).images).toHaveLength(1);
    expect(liveTimers()).toBeLessThanOrEqual(before);
  });

  it("finishes when the server ignores the websocket close (the socket is dropped after its close timeout)", async () => {
    const { client } = await behindFaults({ ws: () => ({ kind: "ignore-close" }) });
    expect((await client.run(await workflow(client))).images).toHaveLength(1);
  });

  it("closes a websocket whose frame claims 2^62 bytes (code 1009) and finishes through /history", async () => {
    const { client } = await behindFaults({ ws: () => ({ kind: "oversized-frame", claimed: 2n ** 62n }) });
    expect((await client.run(await workflow(client))).images).toHaveLength(1);
  });

  it("leaves no image file when /view is over the cap, cut mid-body or not an image (runToFiles streams it to disk)", async () => {
    const cases: [FaultRules, MockComfyOptions, string][] = [
      [{}, { outputPadding: 3 * 1024 * 1024 }, "more than 1048576 bytes"],
      [{ http: on("GET", "/view", { kind: "drop-mid-body" }) }, {}, "dropped"],
      [{ http: on("GET", "/view", { kind: "json", text: '{"error": "not found"}' }) }, {}, "is not an image"],
    ];
    for (const [rules, mockOptions, message] of cases) {
      const { client } = await behindFaults(rules, { maxResponseBytes: 1024 * 1024 }, mockOptions);
      const dir = await tempDir();
      const error = await failure(client.runToFiles(await workflow(client), join(dir, "out.png"), { info: {} }));
      expect(error.message).toContain(message);
      expect(await readdir(dir)).toEqual([]);
      await proxy!.close();
      await mock!.close();
    }
  });

  it("leaves none of the run's files when a later image fails, and an earlier run's files as they were", async () => {
    const notAnImage = { kind: "json", text: '{"error": "not found"}' } as const;
    const { client } = await behindFaults({
      http: (method, path, seen) => (method === "GET" && path.startsWith("/view") && seen >= 2 ? notAnImage : undefined),
    });
    const prompt = await workflow(client);
    const [saveId, save] = Object.entries(prompt).find(([, node]) => node.class_type === "SaveImage")!;
    const twoImages = { ...prompt, [`${saveId}0`]: { ...save, inputs: { ...save.inputs, filename_prefix: "second" } } };
    const dir = await tempDir();
    await writeFile(join(dir, "out-1.png"), "an earlier run's image");
    const error = await failure(client.runToFiles(twoImages, join(dir, "out.png"), { info: { seed: 3 } }));
    expect(error.message).toContain("is not an image");
    // Nothing of this run appears, and what an earlier run left is as it was.
    expect(await readdir(dir)).toEqual(["out-1.png"]);
    expect(await readFile(join(dir, "out-1.png"), "utf8")).toBe("an earlier run's image");
  });

  it("refuses an oversized /view body and a /view answer that is not an image", async () => {
    const big = await behindFaults(
      { http: on("GET", "/view", { kind: "oversized", bytes: 3 * 1024 * 1024 }) },
      { maxResponseBytes: 1024 * 1024 },
    );
    expect((await failure(big.client.run(await workflow(big.client)))).message).toContain("more than 1048576 bytes");
    await proxy!.close();
    await mock!.close();
    const html = await behindFaults({ http: on("GET", "/view", { kind: "json", text: '{"error": "not found"}' }) });
    const error = await failure(html.client.run(await workflow(html.client)));
    expect(error.code).toBe("SERVER");
    expect(error.message).toContain("is not an image");
  });
});
