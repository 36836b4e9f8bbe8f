import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { assumedCapabilities, buildGenerationRequest, createA1111Client, type IdentitySpec } from "../../../adapters/a1111/index.js";
import { saveImages, type ProgressEvent } from "../../../core/index.js";
import { tempDir } from "../../helpers/shared.js";
import { startMockA1111, type MockA1111, type MockA1111Options } from "../../mocks/a1111-server.js";
import { pngOf, texturedPng } from "../../mocks/image-check.js";
import { failure } from "../../helpers/failure.js";

let server: MockA1111 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: MockA1111Options = {}) {
  server = await startMockA1111(options);
  return { server, client: createA1111Client({ baseUrl: server.url, backoffMs: 5, pollMs: 5, auth: options.auth }) };
}

async function identity(photo?: Buffer): Promise<IdentitySpec> {
  return { face: { photo: photo ?? (await texturedPng()) }, adapterScale: 0.8, identityNetScale: 0.8, guidanceStart: 0, guidanceEnd: 1 };
}

const options = { prompt: "a portrait", width: 512, height: 512, steps: 8, seed: 7 };

describe("createA1111Client", () => {
  it("detects A1111 with the listed model names, hashes included", async () => {
    const { client } = await start();
    expect(await client.detect()).toMatchObject({
      flavour: "a1111",
      ipAdapterModel: "ip-adapter_instant_id_sdxl [eb2d3ec0]",
      controlNetModel: "control_instant_id_sdxl [c5c25a35]",
      acceptsEmbeddingInput: true,
    });
  });

  it("detects Forge by its embedding module (it serves no /controlnet/version) and SD.Next by its motd route", async () => {
    expect((await (await start({ flavour: "forge" })).client.detect()).embeddingModule).toBe("InsightFace (InstantID)");
    await server!.close();
    expect((await (await start({ flavour: "sdnext" })).client.detect()).flavour).toBe("sdnext");
  });

  it(
    "reads the pass-through module as listed and the unit slots where served: /controlnet/settings, else Forge's " + "/sdapi/v1/options",
    async () => {
      expect(await (await start({ unitCount: 6 })).client.detect()).toMatchObject({ passThroughModule: "none", unitSlots: 6 });
      await server!.close();
      expect(await (await start({ flavour: "forge", unitCount: 5 })).client.detect()).toMatchObject({
        passThroughModule: "None",
        unitSlots: 5,
      });
      await server!.close();
      expect((await (await start({ flavour: "forge", unitCountInOptions: false })).client.detect()).unitSlots).toBeUndefined();
    },
  );

  it("reads SD.Next's face script layout from /sdapi/v1/script-info", async () => {
    expect((await (await start({ flavour: "sdnext" })).client.detect()).faceScript).toMatchObject({
      kind: "script-args",
      name: "face",
      at: { strength: 9, conditioning: 10, cache: 11 },
    });
    await server!.close();
    expect((await (await start({ flavour: "sdnext", faceScript: 14 })).client.detect()).faceScript).toEqual({ kind: "face-object" });
  });

  it("the server drops units past its control_net_unit_count without a word, which is why requests are checked first", async () => {
    const { client, server: mock } = await start({ unitCount: 3 });
    const masks = [await pngOf(512, 512, 255), await pngOf(512, 512, 0)];
    const two = [
      { ...(await identity()), mask: masks[0] },
      { ...(await identity()), mask: masks[1] },
    ];
    const body = await buildGenerationRequest(options, two, assumedCapabilities("a1111"));
    await client.generate(body);
    expect(mock.usedUnits[0]).toHaveLength(3); // the second identity lost its IdentityNet
    const error = await failure(buildGenerationRequest(options, two, await client.detect()));
    expect(error.code).toBe("SERVER_SETTING");
  });

  it("names every missing model and the installed ones", async () => {
    const { client } = await start({ models: ["control_v11p_sd15_canny [d14c016b]"] });
    const error = await failure(client.detect());
    expect(error.code).toBe("MODEL_NOT_FOUND");
    expect(error.message).toContain("ip-adapter_instant_id_sdxl");
    expect(error.message).toContain("control_instant_id_sdxl");
    expect(error.message).toContain("control_v11p_sd15_canny [d14c016b]");
  });

  it("says the ControlNet extension is missing when the server has no /controlnet routes", async () => {
    const { client } = await start({ controlNet: false });
    expect((await failure(client.detect())).message).toMatch(/install sd-webui-controlnet/);
  });

  it("generates with progress reported while the server samples", async () => {
    const { client, server: mock } = await start({ stepMs: 15 });
    const caps = await client.detect();
    const events: ProgressEvent[] = [];
    const result = await client.generate(await buildGenerationRequest(options, [await identity()], caps), {
      onProgress: (e) => events.push(e),
    });
    expect(result.images).toHaveLength(1);
    expect(result.info.seed).toBe(7);
    expect(events.length).toBeGreaterThan(1);
    expect(events.every((e) => e.total === 8 && e.stage === "sampling")).toBe(true);
    expect(events.map((e) => e.completed)).toEqual([...events.map((e) => e.completed)].sort((a, b) => a - b));
    expect(mock.counts.progressPolls).toBeGreaterThan(1);
  });

  it("passes each new live preview on (JPEG re-encoded as PNG, the same image once) when asked, and asks for none otherwise", async () => {
    const { client, server: mock } = await start({ stepMs: 40, livePreviews: "jpeg" });
    const request = await buildGenerationRequest(options, [await identity()], await client.detect());
    const events: ProgressEvent[] = [];
    await client.generate(request, { onProgress: (e) => events.push(e), previews: true });
    const previews = events.filter((e) => e.preview);
    expect(previews.length).toBeGreaterThan(0);
    expect(previews.length).toBeLessThanOrEqual(8); // one image per step, repeats dropped
    for (const event of previews) {
      expect(event.preview).toMatchObject({ width: 16, height: 16 });
      const data = await sharp(event.preview!.png).raw().toBuffer();
      expect(Math.abs(data[0] - ((event.completed * 37) % 256))).toBeLessThan(8); // the picture of the step it came with
    }
    expect((await sharp(previews[0].preview!.png).metadata()).format).toBe("png");
    const sent = mock.counts.previewsSent;
    expect(sent).toBeGreaterThanOrEqual(previews.length);

    const plain: ProgressEvent[] = [];
    await client.generate(request, { onProgress: (e) => plain.push(e) });
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.some((e) => e.preview)).toBe(false);
    expect(mock.counts.previewsSent).toBe(sent); // skip_current_image=true: the server renders none
  });

  it("never sends a generation twice: a dropped reply is reported as possibly run, not re-POSTed", async () => {
    const { client, server: mock } = await start({ failures: ["drop"] });
    const error = await failure(client.generate(await buildGenerationRequest(options, [await identity()], await client.detect())));
    expect(error.code).toBe("NETWORK");
    expect(error.message).toContain("dropped before it answered");
    expect(error.message).toContain("was not sent again: the A1111 server may already have run it");
    expect(mock.counts.generationAttempts).toBe(1);
  });

  it("reports a 500 on a generation with the server's own message, without sending it again", async () => {
    const { client, server: mock } = await start({ failures: ["500", "500", "500"] });
    const error = await failure(client.generate(await buildGenerationRequest(options, [await identity()], await client.detect())));
    expect(error.code).toBe("SERVER");
    expect(error.message).toContain("CUDA out of memory. Tried to allocate 20.00 MiB");
    expect(mock.counts.generationAttempts).toBe(1);
  });

  it("does not retry a 4xx answer", async () => {
    const { client, server: mock } = await start();
    const body = { ...(await buildGenerationRequest(options, [await identity()], await client.detect())), sampler_name: "No Such Sampler" };
    expect((await failure(client.generate(body))).message).toContain("Sampler not found");
    expect(mock.counts.generationAttempts).toBe(1);
  });

  it("reports a server that is down as a network error", async () => {
    const { client } = await start();
    await server!.close();
    const error = await failure(client.detect());
    expect(error.code).toBe("NETWORK");
    expect(error.message).toMatch(/Cannot reach the A1111 server .* after 3 attempts/);
  });

  it("sends basic auth, and explains a 401", async () => {
    const auth = { username: "u", password: "p" };
    const { client } = await start({ auth });
    expect((await client.detect()).flavour).toBe("a1111");
    const stranger = createA1111Client({ baseUrl: server!.url, retries: 0 });
    expect((await failure(stranger.detect())).message).toMatch(/HTTP 401: Not authenticated.*--auth/);
  });

  it("interrupts the server when cancelled and rejects as aborted", async () => {
    const { client, server: mock } = await start({ stepMs: 20 });
    const controller = new AbortController();
    const request = await buildGenerationRequest({ ...options, steps: 100 }, [await identity()], await client.detect());
    const pending = client.generate(request, { signal: controller.signal, onProgress: (e) => e.completed >= 2 && controller.abort() });
    const error = await failure(pending);
    expect(error.code).toBe("ABORTED");
    expect(mock.counts.interrupts).toBe(1);
  });

  it("carries the server's message when the face photo has no face", async () => {
    const { client } = await start();
    const error = await failure(
      client.generate(await buildGenerationRequest(options, [await identity(await pngOf(64, 64))], await client.detect())),
    );
    expect(error.message).toContain("Insightface: No face found");
  });

  it("carries the server's message when a model is missing there", async () => {
    const { client } = await start({ models: ["ip-adapter_instant_id_sdxl [eb2d3ec0]"] });
    const error = await failure(client.generate(await buildGenerationRequest(options, [await identity()], assumedCapabilities("a1111"))));
    expect(error.message).toContain("model not found: control_instant_id_sdxl");
  });

  it("is answered with the extension's assertion when the units are out of order", async () => {
    const { client } = await start();
    const body = await buildGenerationRequest(options, [await identity()], await client.detect());
    const args = (body.alwayson_scripts as { controlnet: { args: unknown[] } }).controlnet.args;
    args.reverse();
    expect((await failure(client.generate(body))).message).toContain("InstantID control model should follow ipadapter model.");
  });

  it("reports an oversize request with the server's answer", async () => {
    const { client } = await start({ maxBodyBytes: 1000 });
    const error = await failure(
      client.generate(await buildGenerationRequest(options, [await identity(await texturedPng(512, 512))], await client.detect())),
    );
    expect(error.message).toContain("HTTP 413: Request Entity Too Large");
  });

  it("keeps only the generated images, not the detected maps, and saves them atomically with their info", async () => {
    const { client } = await start();
    const body = await buildGenerationRequest(options, [await identity()], await client.detect());
    for (const unit of (body.alwayson_scripts as { controlnet: { args: { save_detected_map: boolean }[] } }).controlnet.args)
      unit.save_detected_map = true;
    const result = await client.generate(body);
    expect(result.images).toHaveLength(1);
    const dir = await tempDir();
    const [path] = await saveImages(join(dir, "out.png"), result.images, result.info);
    expect(path).toBe(join(dir, "out.png"));
    expect(JSON.parse(await readFile(join(dir, "out.json"), "utf8")).seed).toBe(7);
  });

  it("delivers a local embedding as a torch.save blob the server decodes to the same 512 values", async () => {
    const { client, server: mock } = await start();
    const embedding = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) * 3);
    const face = { photo: await texturedPng(), analysis: { embedding, keypointImage: await pngOf(512, 512, 0) } };
    const result = await client.generate(await buildGenerationRequest(options, [{ ...(await identity()), face }], await client.detect()));
    expect(result.images).toHaveLength(1);
    expect(mock.embeddings).toHaveLength(1);
    expect([...mock.embeddings[0]]).toEqual([...embedding]);
  });

  it("is answered with torch.load's complaint when the blob is not a torch archive", async () => {
    const { client } = await start();
    const face = { photo: await texturedPng(), analysis: { embedding: new Float32Array(512), keypointImage: await pngOf(512, 512, 0) } };
    const body = await buildGenerationRequest(options, [{ ...(await identity()), face }], await client.detect(), () =>
      Buffer.from("not a zip").toString("base64"),
    );
    expect((await failure(client.generate(body))).message).toContain("PytorchStreamReader failed reading zip archive");
  });
});

describe("A1111Client.generateToFiles", () => {
  it("saves only the batch's images (not the detected maps after all_seeds), each beside its info, and no temp file", async () => {
    const { client } = await start();
    const request = { ...(await buildGenerationRequest(options, [await identity()], await client.detect())), batch_size: 3 };
    const dir = await tempDir();
    const result = await client.generateToFiles(request, join(dir, "out.png"));
    expect(result.images.map((image) => image.path)).toEqual([1, 2, 3].map((i) => join(dir, `out-${i}.png`)));
    expect((await readdir(dir)).sort()).toEqual(["out-1.json", "out-1.png", "out-2.json", "out-2.png", "out-3.json", "out-3.png"]);
    for (const [i, image] of result.images.entries()) {
      const saved = await readFile(image.path);
      expect(image.bytes).toBe(saved.length);
      expect((await sharp(saved).raw().toBuffer())[0]).toBe(128 + i); // the i-th generated image, in order
      expect(JSON.parse(await readFile(join(dir, `out-${i + 1}.json`), "utf8")).all_seeds).toEqual([7, 8, 9]);
    }
    expect(result.info.seed).toBe(7);
  });

  it("saves the same bytes generate returns, one image as OUT.png", async () => {
    const { client } = await start();
    const request = await buildGenerationRequest(options, [await identity()], await client.detect());
    const dir = await tempDir();
    const saved = await client.generateToFiles(request, join(dir, "one.png"));
    const inMemory = await client.generate(request);
    expect(saved.images).toEqual([{ path: join(dir, "one.png"), bytes: inMemory.images[0].length }]);
    expect(new Uint8Array(await readFile(join(dir, "one.png")))).toEqual(inMemory.images[0]);
    expect(saved.parameters).toEqual(inMemory.parameters);
  });

  it("creates the output's folder when it does not exist yet", async () => {
    const { client } = await start();
    const request = await buildGenerationRequest(options, [await identity()], await client.detect());
    const dir = await tempDir();
    const out = join(dir, "new", "folder", "out.png");
    expect((await client.generateToFiles(request, out)).images.map((image) => image.path)).toEqual([out]);
    expect((await readdir(join(dir, "new", "folder"))).sort()).toEqual(["out.json", "out.png"]);
  });

  it("removes the images and the info already written when an info file cannot be written", async () => {
    const { client } = await start();
    const request = { ...(await buildGenerationRequest(options, [await identity()], await client.detect())), batch_size: 2 };
    const dir = await tempDir();
    await mkdir(join(dir, "out-2.json")); // a folder where the second image's info must go
    const error = await failure(client.generateToFiles(request, join(dir, "out.png")));
    expect(error.code).toBe("INTERNAL");
    expect(error.message).toContain("out-2.json");
    expect(await readdir(dir)).toEqual(["out-2.json"]);
  });

  it("leaves no file behind when cancelled mid-generation", async () => {
    const { client } = await start({ stepMs: 20 });
    const controller = new AbortController();
    const request = await buildGenerationRequest({ ...options, steps: 100 }, [await identity()], await client.detect());
    const dir = await tempDir();
    const error = await failure(
      client.generateToFiles(request, join(dir, "out.png"), {
        signal: controller.signal,
        onProgress: (e) => e.completed >= 2 && controller.abort(),
      }),
    );
    expect(error.code).toBe("ABORTED");
    expect(await readdir(dir)).toEqual([]);
  });

  it("reports a folder it cannot write as a typed error and leaves nothing", async () => {
    const { client } = await start();
    const request = await buildGenerationRequest(options, [await identity()], await client.detect());
    const dir = await tempDir();
    await saveImages(join(dir, "file.png"), [await pngOf(4, 4)], {});
    const error = await failure(client.generateToFiles(request, join(dir, "file.png", "out.png")));
    expect(error.code).toBe("INTERNAL");
    expect(error.message).toMatch(/Could not write .*file\.png.*Free disk space or fix the folder's permissions/);
    expect((await readdir(dir)).sort()).toEqual(["file.json", "file.png"]);
  });
});
