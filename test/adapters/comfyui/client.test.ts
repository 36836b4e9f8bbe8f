import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildInstantIdWorkflow, chooseModels, createComfyClient, type ComfyIdentity } from "../../../adapters/comfyui/index.js";
import { loadImage, type ProgressEvent } from "../../../core/index.js";
import { tempDir } from "../../helpers/shared.js";
import { startMockA1111 } from "../../mocks/a1111-server.js";
import { startMockComfy, type MockComfy, type MockComfyOptions } from "../../mocks/comfyui-server.js";
import { pngOf, texturedPng } from "../../mocks/image-check.js";
import { failure } from "../../helpers/failure.js";

let server: MockComfy | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: MockComfyOptions = {}, watchdogMs?: number) {
  server = await startMockComfy(options);
  return { server, client: createComfyClient({ baseUrl: server.url, backoffMs: 5, pollMs: 10, watchdogMs }) };
}

async function workflow(client: ReturnType<typeof createComfyClient>, photo?: Buffer, steps = 6) {
  const identity: ComfyIdentity = {
    image: await client.uploadImage(photo ?? (await texturedPng()), "face.png"),
    keypoints: await client.uploadImage(await pngOf(512, 512, 0), "kps.png"),
  };
  const models = chooseModels(await client.objectInfo());
  return buildInstantIdWorkflow({ ...models, prompt: "a portrait", width: 512, height: 512, steps, seed: 3 }, [identity]);
}

describe("createComfyClient", () => {
  it("uploads, queues, follows progress over the websocket and downloads the saved image", async () => {
    const { client, server: mock } = await start({ stepMs: 5 });
    const events: ProgressEvent[] = [];
    const result = await client.run(await workflow(client), { onProgress: (e) => events.push(e) });
    expect(events.map((e) => e.completed)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.every((e) => e.total === 6)).toBe(true);
    expect(result.images).toHaveLength(1);
    expect(result.images[0].filename).toBe("instantid_00001_.png");
    expect([...result.images[0].data.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    expect([...mock.uploads.keys()]).toEqual(["face.png", "kps.png"]);
  });

  it("streams the saved image into OUT.png beside OUT.json with runToFiles, leaving no .part", async () => {
    const { client } = await start({ stepMs: 1 });
    const dir = await tempDir();
    const result = await client.runToFiles(await workflow(client), join(dir, "out.png"), { info: { seed: 3 } });
    expect(result.images).toEqual([
      { filename: "instantid_00001_.png", subfolder: "", type: "output", path: join(dir, "out.png"), bytes: expect.any(Number) },
    ]);
    const png = await readFile(join(dir, "out.png"));
    expect(png.length).toBe(result.images[0].bytes);
    expect((await loadImage(png)).width).toBe(512);
    expect(JSON.parse(await readFile(join(dir, "out.json"), "utf8"))).toEqual({ promptId: result.promptId, seed: 3 });
    expect((await readdir(dir)).sort()).toEqual(["out.json", "out.png"]);
  });

  it("saves two SaveImage outputs as OUT-1.png and OUT-2.png, each beside its info", async () => {
    const { client } = await start({ stepMs: 1 });
    const prompt = await workflow(client);
    const [saveId, save] = Object.entries(prompt).find(([, node]) => node.class_type === "SaveImage")!;
    const twoImages = { ...prompt, [`${saveId}0`]: { ...save, inputs: { ...save.inputs, filename_prefix: "second" } } };
    const dir = await tempDir();
    const result = await client.runToFiles(twoImages, join(dir, "out.png"), { info: { seed: 3 } });
    expect(result.images.map((image) => image.path)).toEqual([join(dir, "out-1.png"), join(dir, "out-2.png")]);
    expect((await readdir(dir)).sort()).toEqual(["out-1.json", "out-1.png", "out-2.json", "out-2.png"]);
    expect(JSON.parse(await readFile(join(dir, "out-2.json"), "utf8"))).toEqual({ promptId: result.promptId, seed: 3 });
  });

  it("streams a large image (32 MiB) to disk under a cap that fits it", async () => {
    const { client } = await start({ stepMs: 1, outputPadding: 32 * 1024 * 1024 });
    const dir = await tempDir();
    const result = await client.runToFiles(await workflow(client), join(dir, "big.png"));
    expect(result.images[0].bytes).toBeGreaterThan(32 * 1024 * 1024);
    expect((await stat(join(dir, "big.png"))).size).toBe(result.images[0].bytes);
    expect((await loadImage(join(dir, "big.png"))).width).toBe(512);
    expect(await readdir(dir)).toEqual(["big.png"]);
  });

  it("finishes through /history when the websocket drops mid-run", async () => {
    const { client } = await start({ stepMs: 5, dropSocketAfterProgress: 2 });
    const events: ProgressEvent[] = [];
    const result = await client.run(await workflow(client), { onProgress: (e) => events.push(e) });
    expect(events.length).toBe(2);
    expect(result.images).toHaveLength(1);
  });

  it("finishes through its /history watchdog when the websocket stays silent", async () => {
    const { client } = await start({ silentSocket: true }, 50);
    const result = await client.run(await workflow(client));
    expect(result.images).toHaveLength(1);
  });

  it("reports the node pack's no-face failure with its own message", async () => {
    const { client } = await start();
    const error = await failure(client.run(await workflow(client, await pngOf(64, 64))));
    expect(error.code).toBe("NO_FACE");
    expect(error.message).toContain("ApplyInstantIDAdvanced");
    expect(error.message).toContain("Reference Image: No face detected.");
  });

  it("interrupts the server when cancelled and rejects as aborted", async () => {
    const { client, server: mock } = await start({ stepMs: 10 });
    const controller = new AbortController();
    const error = await failure(
      client.run(await workflow(client, undefined, 200), {
        signal: controller.signal,
        onProgress: (e) => e.completed === 2 && controller.abort(),
      }),
    );
    expect(error.code).toBe("ABORTED");
    expect(mock.counts.interrupts).toBe(1);
  });

  it("does not queue twice after a 500, and carries the server's message", async () => {
    const { client, server: mock } = await start({ promptFailures: ["500"] });
    const error = await failure(client.run(await workflow(client)));
    expect(error.message).toContain("HTTP 500: Internal Server Error");
    expect(mock.counts.promptAttempts).toBe(1);
  });

  it("carries the node errors of a workflow the server rejects", async () => {
    const { client } = await start();
    const prompt = await workflow(client);
    const sampler = Object.values(prompt).find((n) => n.class_type === "KSampler")!;
    sampler.inputs.sampler_name = "warp_drive";
    const error = await failure(client.queue(prompt));
    expect(error.message).toContain("Prompt outputs failed validation");
    expect(error.message).toContain("Value not in list: sampler_name: 'warp_drive' not in");
  });

  it("says what is missing before queueing when the InstantID pack or models are absent", async () => {
    const { client, server: mock } = await start({ without: ["InstantIDModelLoader", "ApplyInstantIDAdvanced"] });
    expect((await failure(client.objectInfo().then((info) => chooseModels(info)))).message).toContain("install cubiq/ComfyUI_InstantID");
    await mock.close();
    const second = await start({ models: { "ControlNetLoader.control_net_name": ["control_canny.safetensors"] } });
    const error = await failure(second.client.objectInfo().then((info) => chooseModels(info)));
    expect(error.code).toBe("MODEL_NOT_FOUND");
    expect(error.message).toContain("installed: control_canny.safetensors");
  });

  it("reports the missing /object_info route of an A1111 server with its answer", async () => {
    const a1111 = await startMockA1111();
    try {
      const error = await failure(createComfyClient({ baseUrl: a1111.url }).objectInfo());
      expect(error.message).toMatch(/HTTP 404: Not Found\. The route is missing: is this the right kind of server/);
    } finally {
      await a1111.close();
    }
  });

  it("reports a server that is down as a network error", async () => {
    const { client } = await start();
    await server!.close();
    expect((await failure(client.objectInfo())).code).toBe("NETWORK");
  });
});
