import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { buildInstantIdWorkflow, chooseModels, createComfyClient } from "../../../adapters/comfyui/index.js";
import { PromptFollower } from "../../../adapters/comfyui/follow.js";
import { parsePreviewFrame } from "../../../adapters/comfyui/preview-frame.js";
import type { WebSocketConnection, WebSocketMessage } from "../../../adapters/net/index.js";
import type { ProgressEvent } from "../../../core/index.js";
import { startMockComfy, type MockComfy, type MockComfyOptions } from "../../mocks/comfyui-server.js";
import { pngOf, texturedPng } from "../../mocks/image-check.js";

const word = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);

/** The red of a preview's first pixel: the mock paints step n with red (n·37) mod 256. */
async function red(event: ProgressEvent): Promise<number> {
  return (await sharp(event.preview!.png).raw().toBuffer())[0];
}

describe("ComfyUI preview frames", () => {
  it("reads PREVIEW_IMAGE (format word, then the image) and PREVIEW_IMAGE_WITH_METADATA (its prompt id), nothing else", () => {
    const image = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
    const parse = (data: Buffer) => {
      const frame = parsePreviewFrame(data);
      return frame && { ...frame, image: [...frame.image] };
    };
    expect(parse(Buffer.concat([word(1), word(1), image]))).toEqual({ image: [...image] });
    const metadata = Buffer.from(JSON.stringify({ prompt_id: "p-1", node_id: "3", image_type: "image/png" }));
    expect(parse(Buffer.concat([word(4), word(metadata.length), metadata, image]))).toEqual({
      image: [...image],
      promptId: "p-1",
    });
    expect(parsePreviewFrame(Buffer.concat([word(3), word(1), image]))).toBeUndefined(); // TEXT
    expect(parsePreviewFrame(Buffer.from([0, 0, 0, 1, 0xff, 0xd8]))).toBeUndefined();
    expect(parsePreviewFrame(Buffer.concat([word(4), word(100), metadata]))).toBeUndefined(); // metadata past the end
  });

  it("gives a frame without a prompt id to the prompt the events before it were about, and drops another prompt's", async () => {
    let deliver: (message: WebSocketMessage) => void = () => undefined;
    const socket = {
      onMessage: (listener: typeof deliver) => ((deliver = listener), () => undefined),
      closed: new Promise(() => undefined),
    };
    const follower = new PromptFollower(socket as unknown as WebSocketConnection, { previews: true });
    const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: "#336699" } })
      .jpeg()
      .toBuffer();
    const text = (type: string, data: Record<string, unknown>) => deliver({ kind: "text", text: JSON.stringify({ type, data }) });
    text("progress", { prompt_id: "other", value: 1, max: 2 });
    deliver({ kind: "binary", data: Buffer.concat([word(1), word(1), jpeg]) }); // the other prompt's
    text("progress", { prompt_id: "mine", value: 1, max: 2 });
    deliver({ kind: "binary", data: Buffer.concat([word(1), word(1), jpeg]) });
    const metadata = Buffer.from(JSON.stringify({ prompt_id: "other" }));
    deliver({ kind: "binary", data: Buffer.concat([word(4), word(metadata.length), metadata, jpeg]) }); // named: not mine
    text("execution_success", { prompt_id: "mine" });
    const events: ProgressEvent[] = [];
    expect(await follower.outcome("mine", (e) => events.push(e))).toEqual({ kind: "success" });
    expect(events.map((e) => [e.completed, e.preview ? `${e.preview.width}x${e.preview.height}` : "-"])).toEqual([
      [1, "-"],
      [1, "4x4"],
    ]);
  });
});

describe("createComfyClient with previews", () => {
  let server: MockComfy | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function run(options: MockComfyOptions, previews: boolean): Promise<ProgressEvent[]> {
    server = await startMockComfy({ stepMs: 5, ...options });
    const client = createComfyClient({ baseUrl: server.url, backoffMs: 5, pollMs: 10 });
    const identity = {
      image: await client.uploadImage(await texturedPng(), "face.png"),
      keypoints: await client.uploadImage(await pngOf(512, 512, 0), "kps.png"),
    };
    const models = chooseModels(await client.objectInfo());
    const workflow = buildInstantIdWorkflow({ ...models, prompt: "a portrait", width: 512, height: 512, steps: 3, seed: 3 }, [identity]);
    const events: ProgressEvent[] = [];
    await client.run(workflow, { onProgress: (e) => events.push(e), previews });
    return events;
  }

  it("passes each JPEG preview frame on as a PNG with the step it follows (the malformed one skipped)", async () => {
    const events = await run({}, true);
    expect(events.map((e) => [e.completed, Boolean(e.preview)])).toEqual([
      [1, false],
      [1, true],
      [2, false],
      [2, true],
      [3, false],
      [3, true],
    ]);
    for (const event of events.filter((e) => e.preview)) {
      expect(event.preview).toMatchObject({ width: 8, height: 8 });
      expect((await sharp(event.preview!.png).metadata()).format).toBe("png");
      expect(Math.abs((await red(event)) - ((event.completed * 37) % 256))).toBeLessThan(8);
    }
  });

  it("reads PREVIEW_IMAGE_WITH_METADATA frames too, and skips every frame unless previews are asked for", async () => {
    const withMetadata = await run({ previewFrames: "png-with-metadata" }, true);
    const previews = withMetadata.filter((e) => e.preview);
    expect(previews.map((e) => e.completed)).toEqual([1, 2, 3]);
    expect(await Promise.all(previews.map(red))).toEqual([37, 74, 111]);
    await server!.close();
    const without = await run({ previewFrames: "png-with-metadata" }, false);
    expect(without.map((e) => e.completed)).toEqual([1, 2, 3]);
    expect(without.some((e) => e.preview)).toBe(false);
  });
});
