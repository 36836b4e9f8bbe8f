// A producer of the generation queue: two identity files side by side in one picture, enqueued on a
// BullMQ queue in Redis, then waited for while workers on GPU machines run it (`instantid worker`).
// Needs `npm install bullmq ioredis`. Build and run from the project root:
//   npx tsup examples/queue-producer.ts --format esm --out-dir .cache/examples --no-config --silent \
// && node .cache/examples/queue-producer.js redis://127.0.0.1:6379 /mnt/shared/results a.identity.safetensors b.identity.safetensors "two
// friends"
import { pathToFileURL } from "node:url";
import { Queue, QueueEvents } from "bullmq";
import { enqueueGeneration, folderResultStore, waitForResult, type GenerationResult } from "../adapters/queue/index.js";
import { loadIdentity, type ProgressEvent } from "../core/index.js";

/** Where the queue is and what to make. */
export interface QueueExampleOptions {
  readonly redisUrl: string;
  /** BullMQ key prefix, when the Redis is shared with other queues of the same name. */
  readonly prefix?: string;
  /** The result folder the workers write to (shared with them). */
  readonly resultsDir: string;
  readonly identities: readonly string[];
  readonly prompt: string;
  readonly size?: number;
  readonly steps?: number;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** Enqueues one picture with each identity in its own vertical strip and returns its images and report. */
export async function queueExample(options: QueueExampleOptions): Promise<GenerationResult> {
  const connection = { url: options.redisUrl };
  const queue = new Queue("instantid", { connection, prefix: options.prefix });
  const events = new QueueEvents("instantid", { connection, prefix: options.prefix });
  try {
    const size = options.size ?? 1024;
    const strip = size / options.identities.length;
    const identities = await Promise.all(
      options.identities.map(async (path, i) => ({
        identity: await loadIdentity(path, { dimension: 512 }), // the file's embeddings travel, never a photo
        region: { rect: [Math.round(i * strip), 0, Math.round((i + 1) * strip), size] as [number, number, number, number] },
      })),
    );
    // The seed is drawn here and kept in the job: a retry on another machine makes the same picture.
    const id = await enqueueGeneration(queue, {
      width: size,
      height: size,
      prompt: options.prompt,
      identities,
      settings: { steps: options.steps ?? 30 },
    });
    return await waitForResult(queue, id, { events, store: folderResultStore(options.resultsDir), onProgress: options.onProgress });
  } finally {
    await events.close();
    await queue.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [redisUrl, resultsDir, ...rest] = process.argv.slice(2);
  const prompt = rest.pop();
  if (!redisUrl || !resultsDir || !prompt || rest.length === 0) {
    console.error("usage: queue-producer REDIS_URL RESULTS_DIR IDENTITY_FILE... PROMPT");
    process.exit(2);
  }
  const result = await queueExample({
    redisUrl,
    resultsDir,
    identities: rest,
    prompt,
    onProgress: (e) => process.stderr.write(`\r${e.stage} ${e.completed}/${e.total}`),
  });
  console.log(
    `\njob ${result.jobId} on ${result.backend}: ${result.stored.images.map((name) => `${result.stored.location}/${name}`).join(", ")}`,
  );
}
