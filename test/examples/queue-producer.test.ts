import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, expect, it } from "vitest";
import { a1111Backend, folderResultStore, startGenerationWorker } from "../../adapters/queue/index.js";
import { createIdentity, saveIdentity } from "../../core/index.js";
import { RandomWeights } from "../../core/testing.js";
import { queueExample } from "../../examples/queue-producer.js";
import { describeRedis } from "../helpers/redis.js";
import { startRedis, type TestRedis } from "../helpers/redis-server.js";
import { tempDir } from "../helpers/shared.js";
import { startMockA1111 } from "../mocks/a1111-server.js";

describeRedis("examples/queue-producer.ts", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => redis?.stop());

  it("enqueues two identity files as one composition and gets the picture a worker made", async () => {
    const dir = await tempDir();
    const files = [join(dir, "a.identity.safetensors"), join(dir, "b.identity.safetensors")];
    for (const [i, file] of files.entries())
      await saveIdentity(file, createIdentity([{ embedding: new RandomWeights(i + 1).gaussian(512) }]));
    const server = await startMockA1111({ stepMs: 2, unitCount: 4 });
    // The example uses the queue named "instantid": on a shared Redis, a key prefix of its own keeps this test apart.
    const prefix = `instantid-example-${randomBytes(4).toString("hex")}`;
    const worker = startGenerationWorker({
      connection: { url: redis.url },
      prefix,
      store: folderResultStore(join(dir, "results")),
      backend: a1111Backend({ url: server.url }),
    });
    try {
      const result = await queueExample({
        redisUrl: redis.url,
        prefix,
        resultsDir: join(dir, "results"),
        identities: files,
        prompt: "two friends",
        size: 128,
        steps: 6,
      });
      expect(result.backend).toBe("a1111");
      expect(Buffer.from(result.images[0]).subarray(1, 4).toString()).toBe("PNG");
      expect(result.report).toMatchObject({ prompt: "two friends", width: 128, height: 128 });
      expect(server.embeddings).toHaveLength(2); // each identity's embedding, no photo
    } finally {
      await worker.close();
      const queue = new Queue("instantid", { connection: { url: redis.url }, prefix });
      await queue.obliterate({ force: true });
      await queue.close();
      await server.close();
    }
  });
});
