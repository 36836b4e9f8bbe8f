import { randomBytes } from "node:crypto";
import { readdir, rm } from "node:fs/promises";
import { Queue, QueueEvents } from "bullmq";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import {
  a1111Backend,
  enqueueGeneration,
  folderResultStore,
  GENERATION_JOB_NAME,
  GENERATION_JOB_VERSION,
  startGenerationWorker,
  waitForResult,
  type GenerationBackend,
  type GenerationWorker,
} from "../../../adapters/queue/index.js";
import { toGenerationJob } from "../../../adapters/queue/job.js";
import { ErrorCode, InstantIdError } from "../../../core/index.js";
import { startMockA1111, type MockA1111 } from "../../mocks/a1111-server.js";
import { describeRedis } from "../../helpers/redis.js";
import { startRedis, type TestRedis } from "../../helpers/redis-server.js";
import { tempDir } from "../../helpers/shared.js";
import { bundleCli, startCli, until, type CliProcess } from "./cli-process.js";
import { twoPeople } from "./jobs.js";

const PNG = [0x89, 0x50, 0x4e, 0x47];

describeRedis("generation queue on a real Redis (BullMQ)", () => {
  let redis: TestRedis;
  const cleanup: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  afterAll(async () => redis?.stop());

  /** A queue of its own (a shared CI Redis may hold others), emptied and closed after the test. */
  async function freshQueue() {
    const connection = { url: redis.url };
    const queue = new Queue(`instantid-test-${randomBytes(4).toString("hex")}`, { connection });
    const events = new QueueEvents(queue.name, { connection });
    await events.waitUntilReady();
    const dir = await tempDir();
    cleanup.push(async () => {
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await rm(dir, { recursive: true, force: true });
    });
    return { connection, queue, events, dir, store: folderResultStore(dir) };
  }

  // Two identities make four ControlNet units: the server is set up for them (control_net_unit_count 4).
  async function mockServer(options: Parameters<typeof startMockA1111>[0] = {}): Promise<MockA1111> {
    const server = await startMockA1111({ unitCount: 4, ...options });
    cleanup.push(() => server.close());
    return server;
  }

  function worker(options: Parameters<typeof startGenerationWorker>[0]): GenerationWorker {
    const running = startGenerationWorker(options);
    cleanup.push(() => running.close({ returnJobs: true }));
    return running;
  }

  it("3 workers, one killed mid-job and one backend answering 5xx for a while: 50 jobs each complete exactly once, results by id " +
    "in submission order", async () => {
    const { connection, queue, events, dir, store } = await freshQueue();
    const cli = await bundleCli();
    cleanup.push(() => rm(cli, { force: true }));
    // The doomed worker's server takes 1 s per step, so the worker is surely mid-job when killed.
    const slow = await mockServer({ stepMs: 1000 });
    const flaky = await mockServer({ failures: ["500", "500", "500", "500"] });
    const healthy = await mockServer();
    const completions = new Map<string, number>();
    events.on("completed", ({ jobId }) => completions.set(jobId, (completions.get(jobId) ?? 0) + 1));

    const ids: string[] = [];
    for (let i = 0; i < 50; i++)
      ids.push(await enqueueGeneration(queue, twoPeople(1000 + i, { settings: { steps: 30, cfg: 4, seed: 1000 + i } }), { backoffMs: 10 }));

    // Worker 1: the CLI in its own process, a short lock so its job is handed on soon after it dies.
    const doomed: CliProcess = startCli(cli, [
      "worker",
      "--redis",
      redis.url,
      "--backend",
      "a1111",
      "--url",
      slow.url,
      "--queue",
      queue.name,
      "--results",
      dir,
      "--lock-duration",
      "1",
      "--stalled-interval",
      "1",
    ]);
    cleanup.push(async () => doomed.child.kill("SIGKILL"));
    await until(() => slow.counts.generationAttempts > 0, "the worker process sent its job to its server", doomed);
    doomed.child.kill("SIGKILL");
    await doomed.exited;
    expect(doomed.output()).toMatch(/worker ready: queue .* backend a1111/);
    await fetch(`${slow.url}/sdapi/v1/interrupt`, { method: "POST", body: "{}" }); // frees the mock's handler

    // Workers 2 and 3 in this process; they look for stalled jobs often.
    for (const server of [flaky, healthy])
      worker({ connection, queueName: queue.name, store, backend: a1111Backend({ url: server.url }), stalledIntervalMs: 200 });

    const results = [];
    for (const id of ids) results.push(await waitForResult(queue, id, { events, store }));
    expect(results.map((r) => r.jobId)).toEqual(ids);
    expect(results.map((r) => (r.report as { seed: number }).seed)).toEqual(ids.map((_, i) => 1000 + i));
    expect(results.map((r) => (r.report as { prompt: string }).prompt)).toEqual(ids.map((_, i) => `job ${1000 + i}`));
    for (const r of results) expect([...r.images[0].subarray(0, 4)]).toEqual(PNG);

    await until(() => completions.size === 50, "every completion event arrived");
    expect([...completions.values()].every((n) => n === 1)).toBe(true);
    expect(await queue.getJobCounts("completed", "failed", "wait", "active", "delayed")).toEqual({
      completed: 50,
      failed: 0,
      wait: 0,
      active: 0,
      delayed: 0,
    });
    expect((await readdir(dir)).sort()).toEqual([...ids].sort());

    // The killed worker's job went back by stalled-job recovery and was completed by another worker.
    const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
    const recovered = jobs.filter((job) => job!.stalledCounter > 0);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.returnvalue).toMatchObject({ backend: "a1111" });
    // The 5xx answers were retried by the queue with backoff: 4 failed attempts in all, none lost.
    expect(flaky.counts.generationAttempts - flaky.generations.length).toBe(4);
    expect(results.reduce((sum, r) => sum + (r.attempt - 1), 0)).toBe(4);
    expect(slow.generations.length + flaky.generations.length + healthy.generations.length).toBe(51);
  }, 60_000);

  it("rejects a malformed job and a job of a newer layout with INVALID_INPUT at once, and goes on with the next", async () => {
    const { connection, queue, events, store } = await freshQueue();
    const server = await mockServer();
    const valid = toGenerationJob(twoPeople(5), () => 0);
    const malformed = await queue.add(GENERATION_JOB_NAME, { ...valid, width: 63, identities: "two" }, { attempts: 5 });
    const newer = await queue.add(GENERATION_JOB_NAME, { ...valid, version: GENERATION_JOB_VERSION + 1 }, { attempts: 5 });
    const good = await enqueueGeneration(queue, twoPeople(6));
    worker({ connection, queueName: queue.name, store, backend: a1111Backend({ url: server.url }) });

    await expect(waitForResult(queue, malformed.id!, { events, store })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      message: expect.stringMatching(/Malformed generation job: .*width/),
    });
    await expect(waitForResult(queue, newer.id!, { events, store })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      message: expect.stringMatching(/upgrade instantid on the worker/),
    });
    expect((await waitForResult(queue, good, { events, store })).report).toMatchObject({ seed: 6 });
    for (const id of [malformed.id!, newer.id!]) {
      const job = await queue.getJob(id);
      expect(await job!.getState()).toBe("failed");
      expect(job!.attemptsMade).toBe(1); // not retried: it would fail the same way
    }
    expect(server.generations).toHaveLength(1);
  });

  it("retries backend faults with backoff and the same seed, then leaves the job in the failed set with the typed error", async () => {
    const { connection, queue, events, store } = await freshQueue();
    const server = await mockServer({ failures: Array(10).fill("500") });
    const inner = a1111Backend({ url: server.url });
    const seeds: number[] = [];
    const recording: GenerationBackend = {
      name: "a1111",
      run: (job, controls) => (seeds.push(job.settings.seed), inner.run(job, controls)),
    };
    const { settings: _, ...noSeed } = twoPeople(0);
    const id = await enqueueGeneration(queue, noSeed, { attempts: 3, backoffMs: 10 });
    worker({ connection, queueName: queue.name, store, backend: recording });

    const failure = await waitForResult(queue, id, { events, store }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InstantIdError);
    expect(failure).toMatchObject({ code: ErrorCode.Server, message: expect.stringMatching(/HTTP 500.*CUDA out of memory/) });
    const job = await queue.getJob(id);
    expect(await job!.getState()).toBe("failed");
    expect(job!.attemptsMade).toBe(3);
    expect(job!.failedReason).toMatch(/^SERVER: /);
    expect(seeds).toHaveLength(3);
    expect(new Set(seeds)).toEqual(new Set([job!.data.settings.seed]));
  });

  it("shuts down gracefully: close() finishes the job in hand; close({ returnJobs }) puts it back without using an attempt", async () => {
    const { connection, queue, events, store } = await freshQueue();
    const slow = await mockServer({ stepMs: 50 });
    const first = await enqueueGeneration(queue, twoPeople(1, { settings: { steps: 4, seed: 1 } }));
    const finishing = worker({ connection, queueName: queue.name, store, backend: a1111Backend({ url: slow.url }) });
    await until(() => slow.counts.generationAttempts > 0, "the first job reached the server");
    await finishing.close();
    expect(await (await queue.getJob(first))!.getState()).toBe("completed");

    const stuck = await mockServer({ stepMs: 1000 });
    const second = await enqueueGeneration(queue, twoPeople(2, { settings: { steps: 30, seed: 2 } }));
    const returning = worker({ connection, queueName: queue.name, store, backend: a1111Backend({ url: stuck.url }) });
    await until(() => stuck.counts.generationAttempts > 0, "the second job reached the server");
    await returning.close({ returnJobs: true });
    const job = await queue.getJob(second);
    expect(await job!.getState()).toBe("waiting");
    expect(job!.attemptsMade).toBe(0);
    expect(stuck.counts.interrupts).toBe(1); // the server was told to stop

    const healthy = await mockServer();
    worker({ connection, queueName: queue.name, store, backend: a1111Backend({ url: healthy.url }) });
    const result = await waitForResult(queue, second, { events, store });
    expect(result).toMatchObject({ attempt: 1, report: { seed: 2 } });
  });
});
