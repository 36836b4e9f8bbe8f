import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { Queue, QueueEvents } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commands } from "../../../adapters/cli/commands/index.js";
import { runCli } from "../../../adapters/cli/run-cli.js";
import {
  enqueueGeneration,
  folderResultStore,
  localBackend,
  startGenerationWorker,
  waitForResult,
  type GenerationProgress,
} from "../../../adapters/queue/index.js";
import { toGenerationJob } from "../../../adapters/queue/job.js";
import { ErrorCode, loadImage, saveIdentity, tensor, writeSafetensors } from "../../../core/index.js";
import { buildSyntheticModels, RandomWeights, type SyntheticModels } from "../../../core/testing.js";
import { describeRedis } from "../../helpers/redis.js";
import { startRedis, type TestRedis } from "../../helpers/redis-server.js";
import { tempDir } from "../../helpers/shared.js";
import { captureIo } from "../cli/commands/capture.js";
import { testIdentity, twoPeople } from "./jobs.js";

let models: SyntheticModels;
let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await tempDir();
  models = await buildSyntheticModels(dir);
  await saveIdentity(file("a.identity.safetensors"), testIdentity(1));
  await saveIdentity(file("b.identity.safetensors"), testIdentity(2));
  const embeds = tensor([1, 77, 64], new RandomWeights(4).gaussian(77 * 64));
  await writeSafetensors(file("prompt.safetensors"), {
    prompt_embeds: embeds,
    text_embeds: tensor([1, 32], new RandomWeights(3).gaussian(32)),
  });
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const backendOptions = () => ({ unet: models.unet, identityNet: models.identityNet, adapter: models.imageAdapter, patchDir: dir });

describe("queue local backend (reference runner, tiny synthetic models)", () => {
  it("refuses a job without prompt embeddings (the runner has no text encoder) as not retryable", async () => {
    const job = toGenerationJob(twoPeople(7), () => 0);
    await expect(localBackend(backendOptions()).run(job, {})).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      message: expect.stringMatching(/promptEmbeddings/),
      details: { retryable: false },
    });
  });
});

describeRedis("queue local backend through Redis", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => redis?.stop());

  it("makes the picture `instantid compose --backend local` makes for the same composition and seed, reporting each step", async () => {
    const cli = captureIo();
    const code = await runCli(
      commands,
      [
        "compose",
        "--identity",
        file("a.identity.safetensors"),
        "--region",
        "0,0,32,64",
        "--identity",
        file("b.identity.safetensors"),
        "--region",
        "32,0,64,64",
        "--adapter-scale",
        "0.8,0.6",
        "--size",
        "64x64",
        "--prompt",
        "job 7",
        "--backend",
        "local",
        "--unet",
        models.unet,
        "--identitynet",
        models.identityNet,
        "--adapter",
        models.imageAdapter,
        "--embeds",
        file("prompt.safetensors"),
        "--patch-dir",
        dir,
        "--steps",
        "2",
        "--cfg",
        "4",
        "--seed",
        "7",
        "-o",
        file("cli.png"),
      ],
      cli.io,
    );
    expect(cli.err()).not.toMatch(/warning|compose:/);
    expect(code).toBe(0);

    const connection = { url: redis.url };
    const queue = new Queue(`instantid-local-${randomBytes(4).toString("hex")}`, { connection });
    const events = new QueueEvents(queue.name, { connection });
    const store = folderResultStore(join(dir, "results"));
    const worker = startGenerationWorker({ connection, queueName: queue.name, store, backend: localBackend(backendOptions()) });
    try {
      await events.waitUntilReady();
      const id = await enqueueGeneration(queue, { ...twoPeople(7), promptEmbeddings: await readFile(file("prompt.safetensors")) });
      const progress: GenerationProgress[] = [];
      const result = await waitForResult(queue, id, { events, store, onProgress: (p) => progress.push(p) });
      expect(result.report).toMatchObject({ backend: "local", seed: 7, steps: 2, cfg: 4, width: 64, height: 64, identities: 2 });
      const [fromQueue, fromCli] = await Promise.all([loadImage(Buffer.from(result.images[0])), loadImage(file("cli.png"))]);
      expect([fromQueue.width, fromQueue.height]).toEqual([64, 64]);
      expect(Buffer.from(fromQueue.data).equals(Buffer.from(fromCli.data))).toBe(true);
      expect(progress.filter((p) => p.stage === "denoise").map((p) => `${p.completed}/${p.total}`)).toEqual(["1/2", "2/2"]);
      expect(progress.every((p) => p.jobId === id)).toBe(true);
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it("with previewEvery, each denoising step's latent preview (1/8 of the image's side) reaches waitForResult", async () => {
    const connection = { url: redis.url };
    const queue = new Queue(`instantid-local-${randomBytes(4).toString("hex")}`, { connection });
    const events = new QueueEvents(queue.name, { connection });
    const store = folderResultStore(join(dir, "results"));
    const backend = localBackend(backendOptions());
    const worker = startGenerationWorker({ connection, queueName: queue.name, store, backend, previewEvery: 1 });
    try {
      await events.waitUntilReady();
      const id = await enqueueGeneration(queue, { ...twoPeople(9), promptEmbeddings: await readFile(file("prompt.safetensors")) });
      const progress: GenerationProgress[] = [];
      await waitForResult(queue, id, { events, store, onProgress: (p) => progress.push(p) });
      const denoise = progress.filter((p) => p.stage === "denoise");
      expect(denoise.map((p) => [p.completed, p.preview?.width, p.preview?.height])).toEqual([
        [1, 8, 8],
        [2, 8, 8],
      ]);
      expect((await loadImage(Buffer.from(denoise[1].preview!.png))).width).toBe(8);
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
