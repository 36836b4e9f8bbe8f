import { invalidOption } from "../../../core/internal.js";
import type { GenerationBackend, WorkerEvent } from "../../queue/index.js";
import { numberOption, requireString } from "../cli-values.js";
import { defineCommand, type CliIo } from "../command.js";
import { parseRunArgs } from "../compose/server-options.js";

const BACKENDS = ["local", "a1111", "comfyui"];

type QueueModule = typeof import("../../queue/index.js");

/** The queue adapter, loaded only by this command: bullmq and ioredis are optional peer dependencies. */
async function loadQueue(): Promise<QueueModule> {
  try {
    return await import("../../queue/index.js");
  } catch (error) {
    throw invalidOption(
      "instantid worker",
      "bullmq and ioredis installed beside instantid (npm install bullmq ioredis)",
      (error as Error).message,
    );
  }
}

function backendOf(queue: QueueModule, values: Record<string, unknown>): GenerationBackend {
  const name = values.backend as string | undefined;
  if (!name || !BACKENDS.includes(name)) throw invalidOption("--backend", BACKENDS.join(", "), name);
  if (name === "local") {
    return queue.localBackend({
      unet: requireString(values.unet, "unet", "unet.onnx"),
      identityNet: requireString(values.identitynet, "identitynet", "identitynet.onnx"),
      adapter: requireString(values.adapter, "adapter", "ip-adapter.bin"),
      vaeDecoder: values["vae-decoder"] as string | undefined,
      patchDir: values["patch-dir"] as string | undefined,
      resamplerHeads:
        values["resampler-heads"] === undefined ? undefined : numberOption(values, "resampler-heads", Number.isInteger, "a whole number"),
    });
  }
  const url = requireString(values.url, "url", "http://127.0.0.1:7860");
  // The bridges' shared checks of --auth and --timeout; steps and cfg come with each job, so placeholders stand in.
  const { auth, timeoutMs } = parseRunArgs({ steps: "1", cfg: "1", ...values });
  if (name === "a1111") return queue.a1111Backend({ url, auth, timeoutMs });
  const provider = values.provider as "CPU" | "CUDA" | "ROCM" | "CoreML";
  return queue.comfyuiBackend({ url, auth, timeoutMs, checkpoint: values.checkpoint as string | undefined, provider });
}

function logEvent(event: WorkerEvent, io: CliIo): void {
  if (event.type === "started") io.stdout(`job ${event.jobId}: started (attempt ${event.attempt})\n`);
  else if (event.type === "completed") io.stdout(`job ${event.jobId}: done\n`);
  else if (event.type === "returned") io.stdout(`job ${event.jobId}: returned to the queue\n`);
  else
    io.stderr(
      `job ${event.jobId}: attempt ${event.attempt} failed${event.willRetry ? ", will retry" : ""}: ${event.error.message} ` +
        `[${event.error.code}]\n`,
    );
}

const seconds = (values: Record<string, unknown>, name: string): number =>
  numberOption(values, name, (n) => n > 0, "a positive number of seconds") * 1000;

/** Resolves on the first SIGINT / SIGTERM after calling `first`; a second one calls `second`. */
function onShutdownSignals(first: () => void, second: () => void): () => void {
  let count = 0;
  const handler = (): void => (++count === 1 ? first() : second());
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

/** `instantid worker`: takes InstantID jobs from a BullMQ queue on Redis and runs them on this machine's backend. */
export const workerCommand = defineCommand({
  path: ["worker"],
  summary:
    "Take generation jobs from a queue on Redis (BullMQ) and run them here: on the reference runner (--backend local)\nor the " +
    "A1111 / ComfyUI server beside this machine. Start one per GPU machine; see docs/scale.md.\nCtrl-C (or SIGTERM) finishes " +
    "the jobs in hand and stops; a second one returns them to the queue at once.",
  options: {
    redis: { type: "string", value: "URL", description: "Redis server (required), e.g. redis://10.0.0.5:6379" },
    backend: { type: "string", value: "NAME", description: "local | a1111 | comfyui (required)" },
    url: { type: "string", value: "URL", description: "a1111/comfyui: the server root" },
    auth: { type: "string", value: "USER:PASS", description: "a1111/comfyui: HTTP basic auth" },
    timeout: { type: "string", value: "SECONDS", description: "a1111/comfyui: timeout of one generation", default: "900" },
    concurrency: {
      type: "string",
      value: "N",
      description: "Jobs at once (default 1: one GPU runs one generation at a time)",
      default: "1",
    },
    queue: { type: "string", value: "NAME", description: "Queue name (default instantid)", default: "instantid" },
    results: {
      type: "string",
      value: "DIR",
      description: "Result folder, shared with the producers (default instantid-results)",
      default: "instantid-results",
    },
    "lock-duration": {
      type: "string",
      value: "SECONDS",
      description: "How long a job stays claimed unrenewed: a killed worker's job is handed on after this",
      default: "30",
    },
    "stalled-interval": { type: "string", value: "SECONDS", description: "How often to look for jobs of silent workers", default: "30" },
    "preview-every": {
      type: "string",
      value: "N",
      description: "Put a small preview (256 px, 48 KiB at most) in job progress about every N steps (0: none)",
      default: "0",
    },
    unet: { type: "string", value: "FILE", description: "local: SDXL UNet ONNX model (patched per identity count, cached)" },
    identitynet: { type: "string", value: "FILE", description: "local: IdentityNet ONNX model" },
    adapter: { type: "string", value: "FILE", description: "local: InstantID ip-adapter.bin" },
    "vae-decoder": { type: "string", value: "FILE", description: "local: VAE decoder ONNX model (without it, a latent preview)" },
    "patch-dir": { type: "string", value: "DIR", description: "local: where patched UNets are cached (default beside the UNet)" },
    "resampler-heads": { type: "string", value: "N", description: "local: Resampler heads when the weights do not tell (default 20)" },
    checkpoint: { type: "string", value: "NAME", description: "comfyui: SDXL checkpoint as the server lists it" },
    provider: {
      type: "string",
      value: "NAME",
      description: "comfyui: where the node pack runs insightface (CPU, CUDA, ROCM, CoreML)",
      default: "CUDA",
    },
  },
  examples: [
    "instantid worker --redis redis://10.0.0.5:6379 --backend a1111 --url http://127.0.0.1:7860 --results /mnt/shared/results",
    "instantid worker --redis redis://10.0.0.5:6379 --backend local --unet unet.onnx --identitynet identitynet.onnx --adapter " +
      "ip-adapter.bin --vae-decoder vae_decoder.onnx",
  ],
  async run({ values }, io) {
    const redis = requireString(values.redis, "redis", "redis://127.0.0.1:6379");
    if (!/^rediss?:\/\//.test(redis)) throw invalidOption("--redis", "a redis:// or rediss:// URL", redis);
    const queue = await loadQueue();
    const backend = backendOf(queue, values);
    const concurrency = numberOption(values, "concurrency", (n) => Number.isInteger(n) && n >= 1 && n <= 64, "a whole number from 1 to 64");
    const running = queue.startGenerationWorker({
      connection: { url: redis },
      backend,
      queueName: values.queue as string,
      concurrency,
      store: queue.folderResultStore(values.results as string),
      lockDurationMs: seconds(values, "lock-duration"),
      stalledIntervalMs: seconds(values, "stalled-interval"),
      previewEvery: numberOption(values, "preview-every", (n) => Number.isInteger(n) && n >= 0, "a whole number of steps, 0 for none"),
      onEvent: (event) => logEvent(event, io),
    });
    const closed = new Promise<void>((resolve, reject) => {
      const stop = (returnJobs: boolean) => () => {
        io.stderr(
          returnJobs
            ? "returning the jobs in hand to the queue...\n"
            : "finishing the jobs in hand (again to return them to the queue)...\n",
        );
        running.close({ returnJobs }).then(resolve, reject);
      };
      const remove = onShutdownSignals(stop(false), stop(true));
      running.worker.once("closed", remove);
    });
    await running.worker.waitUntilReady();
    io.stdout(`worker ready: queue ${values.queue as string} on ${redis}, backend ${backend.name}, concurrency ${concurrency}\n`);
    await closed;
    io.stdout("worker stopped\n");
    return 0;
  },
});
