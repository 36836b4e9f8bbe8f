import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { Queue, QueueEvents } from "bullmq";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  a1111Backend,
  enqueueGeneration,
  folderResultStore,
  QUEUE_DEFAULTS,
  startGenerationWorker,
  waitForResult,
  type GenerationBackend,
  type GenerationProgress,
} from "../../../adapters/queue/index.js";
import { progressReporter, readQueuedProgress } from "../../../adapters/queue/progress.js";
import type { ProgressEvent, ProgressPreview } from "../../../core/index.js";
import { previewFromImage } from "../../../core/internal.js";
import { startMockA1111 } from "../../mocks/a1111-server.js";
import { pngOf } from "../../mocks/image-check.js";
import { describeRedis } from "../../helpers/redis.js";
import { startRedis, type TestRedis } from "../../helpers/redis-server.js";
import { tempDir } from "../../helpers/shared.js";
import { twoPeople } from "./jobs.js";

/** A noisy picture: its PNG is about 3 bytes a pixel, so size limits bite. */
function noisyPreview(width: number, height: number): Promise<ProgressPreview> {
  let state = 99;
  const data = Uint8Array.from({ length: width * height * 3 }, () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 24) & 0xff);
  return previewFromImage({ width, height, data });
}

const limits = { maxSide: QUEUE_DEFAULTS.previewMaxSide, maxBytes: QUEUE_DEFAULTS.previewMaxBytes };

describe("job progress records (the worker's side)", () => {
  it("thins previews to every N steps and the last, fits them into the limits, keeps order, and skips repeated records", async () => {
    const written: unknown[] = [];
    const reporter = progressReporter({ write: async (record) => written.push(record), previewEvery: 2, limits });
    const big = await noisyPreview(600, 300);
    const small = await noisyPreview(40, 20);
    for (let step = 1; step <= 5; step++) {
      reporter.listener({ stage: "sampling", completed: step, total: 5 });
      reporter.listener({ stage: "sampling", completed: step, total: 5, preview: step === 4 ? small : big });
    }
    await reporter.settled();
    const events = written.map(readQueuedProgress) as ProgressEvent[];
    expect(events.map((e) => `${e.completed}${e.preview ? "+" : ""}`)).toEqual(["1", "2", "2+", "3", "4", "4+", "5", "5+"]);
    const [two, four, five] = events.filter((e) => e.preview).map((e) => e.preview!);
    expect(Math.max(two.width, two.height)).toBeLessThanOrEqual(limits.maxSide);
    expect(two.png.byteLength).toBeLessThanOrEqual(limits.maxBytes);
    expect(two.width / two.height).toBeCloseTo(2, 1);
    expect(Buffer.from(four.png).equals(Buffer.from(small.png))).toBe(true); // it fits: sent as it is
    expect((await sharp(five.png).metadata()).format).toBe("png");
  });

  it("leaves previews out without previewEvery, and a preview that cannot fit without shrinking below 16 px", async () => {
    const written: unknown[] = [];
    const off = progressReporter({ write: async (record) => written.push(record), limits });
    off.listener({ stage: "sampling", completed: 1, total: 1, preview: await noisyPreview(40, 20) });
    await off.settled();
    const tight = progressReporter({
      write: async (record) => written.push(record),
      previewEvery: 1,
      limits: { maxSide: 256, maxBytes: 64 },
    });
    tight.listener({ stage: "sampling", completed: 1, total: 2, preview: await noisyPreview(100, 100) });
    await tight.settled();
    expect(written).toEqual([
      { stage: "sampling", completed: 1, total: 1 },
      { stage: "sampling", completed: 1, total: 2 },
    ]);
  });

  it("reads only progress records of its own shape (a job's other updateProgress values are not events)", () => {
    expect(readQueuedProgress(42)).toBeUndefined();
    expect(readQueuedProgress({ completed: 1 })).toBeUndefined();
    expect(readQueuedProgress({ stage: "x", completed: 1, total: 2, preview: { png: "AAAA", width: 0, height: 1 } })).toBeUndefined();
    expect(readQueuedProgress({ stage: "x", completed: 1, total: 2, message: "m" })).toEqual({
      stage: "x",
      completed: 1,
      total: 2,
      message: "m",
    });
  });
});

describeRedis("previews through the queue (real Redis)", () => {
  let redis: TestRedis;
  const cleanup: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  afterAll(async () => redis?.stop());

  async function freshQueue() {
    const connection = { url: redis.url };
    const queue = new Queue(`instantid-previews-${randomBytes(4).toString("hex")}`, { connection });
    const events = new QueueEvents(queue.name, { connection });
    await events.waitUntilReady();
    const dir = await tempDir();
    cleanup.push(async () => {
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await rm(dir, { recursive: true, force: true });
    });
    return { connection, queue, events, store: folderResultStore(dir) };
  }

  /** A backend that reports 6 steps, each with a large preview, and says what previewEvery it was given. */
  function previewingBackend(given: (number | undefined)[]): GenerationBackend {
    return {
      name: "previewing",
      async run(_job, controls) {
        given.push(controls.previewEvery);
        const preview = await noisyPreview(600, 300);
        for (let step = 1; step <= 6; step++) controls.onProgress?.({ stage: "sampling", completed: step, total: 6, preview });
        return { images: [new Uint8Array(await pngOf(64, 64))], report: {} };
      },
    };
  }

  it("waitForResult hands on the worker's previews: every 2 steps and the last, as PNG bytes within the size limits", async () => {
    const { connection, queue, events, store } = await freshQueue();
    const given: (number | undefined)[] = [];
    const worker = startGenerationWorker({ connection, queueName: queue.name, store, backend: previewingBackend(given), previewEvery: 2 });
    cleanup.push(() => worker.close());
    const id = await enqueueGeneration(queue, twoPeople(5));
    const progress: GenerationProgress[] = [];
    await waitForResult(queue, id, { events, store, onProgress: (p) => progress.push(p) });
    expect(given).toEqual([2]);
    expect(progress.map((p) => p.completed)).toEqual([1, 2, 3, 4, 5, 6]);
    const previews = progress.filter((p) => p.preview);
    expect(previews.map((p) => p.completed)).toEqual([2, 4, 6]);
    for (const { preview } of previews) {
      expect(preview!.png).toBeInstanceOf(Uint8Array);
      expect(preview!.png.byteLength).toBeLessThanOrEqual(QUEUE_DEFAULTS.previewMaxBytes);
      const meta = await sharp(preview!.png).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["png", preview!.width, preview!.height]);
      expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(QUEUE_DEFAULTS.previewMaxSide);
    }
    // In Redis the job's last progress holds the preview as base64, no larger than the cap allows.
    const stored = (await queue.getJob(id))!.progress as { preview?: { png: string } };
    expect(typeof stored.preview?.png).toBe("string");
    expect(Buffer.from(stored.preview!.png, "base64").byteLength).toBeLessThanOrEqual(QUEUE_DEFAULTS.previewMaxBytes);
  });

  it("puts no preview in Redis unless the worker runs with previewEvery", async () => {
    const { connection, queue, events, store } = await freshQueue();
    const given: (number | undefined)[] = [];
    const worker = startGenerationWorker({ connection, queueName: queue.name, store, backend: previewingBackend(given) });
    cleanup.push(() => worker.close());
    const id = await enqueueGeneration(queue, twoPeople(6));
    const progress: GenerationProgress[] = [];
    await waitForResult(queue, id, { events, store, onProgress: (p) => progress.push(p) });
    expect(given).toEqual([0]);
    expect(progress).toHaveLength(6);
    expect(progress.some((p) => p.preview)).toBe(false);
    expect((await queue.getJob(id))!.progress).toEqual({ stage: "sampling", completed: 6, total: 6 });
  });

  it("carries an A1111 server's live previews from the a1111 backend to waitForResult", async () => {
    const { connection, queue, events, store } = await freshQueue();
    const server = await startMockA1111({ unitCount: 4, stepMs: 40, livePreviews: "png" });
    cleanup.push(() => server.close());
    const worker = startGenerationWorker({
      connection,
      queueName: queue.name,
      store,
      backend: a1111Backend({ url: server.url, pollMs: 5 }),
      previewEvery: 1,
    });
    cleanup.push(() => worker.close());
    const id = await enqueueGeneration(queue, twoPeople(8, { settings: { steps: 8, cfg: 4, seed: 8 } }));
    const progress: GenerationProgress[] = [];
    await waitForResult(queue, id, { events, store, onProgress: (p) => progress.push(p) });
    const previews = progress.filter((p) => p.preview);
    expect(previews.length).toBeGreaterThan(0);
    for (const { preview } of previews) expect(preview).toMatchObject({ width: 16, height: 16 });
  });

  it("refuses a previewEvery that is not a whole number of steps", () => {
    expect(() => startGenerationWorker({ connection: { url: redis.url }, backend: previewingBackend([]), previewEvery: 1.5 })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION" }),
    );
  });
});
