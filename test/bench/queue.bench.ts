import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue, QueueEvents } from "bullmq";
import {
  enqueueGeneration,
  folderResultStore,
  startGenerationWorker,
  waitForResult,
  type GenerationBackend,
  type GenerationRequest,
} from "../../adapters/queue/index.js";
import { parseGenerationJob, toGenerationJob } from "../../adapters/queue/job.js";
import { createIdentity } from "../../core/identity/identity.js";
import { encodePng } from "../../core/image/io.js";
import { RandomWeights } from "../../core/graph-builder/random-weights.js";
import { redisUnavailableReason, startRedis, type TestRedis } from "../helpers/redis-server.js";
import type { Benchmark, BenchResult } from "./benchmark.js";

const OVERHEAD_JOBS = 60;
const WORKERS = 4;
const BACKEND_MS = 200;
const THROUGHPUT_JOBS = 80;

const request = (seed: number): GenerationRequest => ({
  width: 64,
  height: 64,
  prompt: "bench",
  identities: [{ identity: createIdentity([{ embedding: new RandomWeights(seed).gaussian(512) }]), region: { canvas: true } }],
  settings: { steps: 2, seed },
});

/** A backend that does nothing but wait `ms` and return a small PNG: what is left is the queue's own cost. */
function idleBackend(png: Uint8Array, ms: number): GenerationBackend {
  return { name: "bench", run: () => new Promise((resolve) => setTimeout(() => resolve({ images: [png], report: { bench: true } }), ms)) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function withQueue<T>(redis: TestRedis, body: (queue: Queue, events: QueueEvents, dir: string) => Promise<T>): Promise<T> {
  const connection = { url: redis.url };
  const queue = new Queue(`instantid-bench-${randomBytes(4).toString("hex")}`, { connection });
  const events = new QueueEvents(queue.name, { connection });
  const dir = await mkdtemp(join(tmpdir(), "instantid-bench-queue-"));
  try {
    await events.waitUntilReady();
    return await body(queue, events, dir);
  } finally {
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Resolves with the time each job id's completion event arrives. */
function completionTimes(events: QueueEvents): (id: string) => Promise<number> {
  const waiting = new Map<string, (t: number) => void>();
  const seen = new Map<string, number>();
  events.on("completed", ({ jobId }) => {
    const t = performance.now();
    seen.set(jobId, t);
    waiting.get(jobId)?.(t);
  });
  return (id) => (seen.has(id) ? Promise.resolve(seen.get(id)!) : new Promise((resolve) => waiting.set(id, resolve)));
}

/**
 * Enqueue → worker takes it → no-op backend → result stored (the completion event), one job at a time; and the same work without the queue.
 */
async function overhead(redis: TestRedis, png: Uint8Array): Promise<BenchResult> {
  return withQueue(redis, async (queue, events, dir) => {
    const store = folderResultStore(dir);
    const completed = completionTimes(events);
    const worker = startGenerationWorker({ connection: { url: redis.url }, queueName: queue.name, store, backend: idleBackend(png, 0) });
    const queued: number[] = [];
    const direct: number[] = [];
    try {
      await worker.worker.waitUntilReady();
      for (let i = 0; i < OVERHEAD_JOBS + 5; i++) {
        let start = performance.now();
        const end = await completed(await enqueueGeneration(queue, request(i)));
        if (i >= 5) queued.push(end - start);
        start = performance.now();
        const job = parseGenerationJob(JSON.parse(JSON.stringify(toGenerationJob(request(i), () => 0))));
        await store.put(`direct-${i}`, await idleBackend(png, 0).run(job, {}));
        if (i >= 5) direct.push(performance.now() - start);
      }
      // The producer's read-back, once, so the row's path is known to end in a readable result.
      await waitForResult(queue, `${OVERHEAD_JOBS}`, { events, store });
    } finally {
      await worker.close();
    }
    const value = median(queued);
    return {
      name: `queue overhead per job (enqueue → worker → no-op backend → result stored in the folder), 1 worker, median of ${OVERHEAD_JOBS}`,
      value,
      unit: "ms",
      baselineName: "the same job validated, run and stored without the queue",
      baseline: median(direct),
      goal: "< 20 ms",
      met: value < 20,
    };
  });
}

/**
 * 4 workers against a backend that takes 200 ms: jobs per second from the queue's resume to the last completion, against 4 plain loops
 * calling the same backend.
 */
async function throughput(redis: TestRedis, png: Uint8Array): Promise<BenchResult> {
  const backend = idleBackend(png, BACKEND_MS);
  const job = toGenerationJob(request(0), () => 0);
  let start = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      for (let i = 0; i < THROUGHPUT_JOBS / WORKERS; i++) await backend.run(job, {});
    }),
  );
  const baseline = THROUGHPUT_JOBS / ((performance.now() - start) / 1000);
  return withQueue(redis, async (queue, events, dir) => {
    const store = folderResultStore(dir);
    const completed = completionTimes(events);
    const workers = Array.from({ length: WORKERS }, () =>
      startGenerationWorker({ connection: { url: redis.url }, queueName: queue.name, store, backend }),
    );
    try {
      await Promise.all(workers.map((w) => w.worker.waitUntilReady()));
      // The jobs wait on a paused queue, so the clock measures the workers, not the producer's encoding.
      await queue.pause();
      const ids = await Promise.all(Array.from({ length: THROUGHPUT_JOBS }, (_, i) => enqueueGeneration(queue, request(i))));
      await sleep(100);
      start = performance.now();
      await queue.resume();
      const ends = await Promise.all(ids.map(completed));
      const value = THROUGHPUT_JOBS / ((Math.max(...ends) - start) / 1000);
      const ratio = value / baseline;
      return {
        name:
          `queue throughput, ${WORKERS} workers, ${BACKEND_MS} ms backend, ${THROUGHPUT_JOBS} jobs (ideal ${WORKERS} × ` +
          `1/${BACKEND_MS} ms = ${(WORKERS * 1000) / BACKEND_MS}/s)`,
        value,
        unit: "jobs/s",
        baselineName: `${WORKERS} loops calling the backend directly`,
        baseline,
        goal: "ratio ≥ 0.90",
        ratio,
        met: ratio >= 0.9,
      };
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });
}

/** The queue's own cost per job, and how close 4 workers come to 4 × the backend's rate. */
export const queueBenchmark: Benchmark = {
  name: "queue",
  available: () => redisUnavailableReason() === undefined,
  get skipReason() {
    return redisUnavailableReason();
  },
  async run() {
    const redis = await startRedis();
    try {
      const png = await encodePng({ width: 64, height: 64, data: new Uint8Array(64 * 64 * 3) });
      return [await overhead(redis, png), await throughput(redis, png)];
    } finally {
      await redis.stop();
    }
  },
};
