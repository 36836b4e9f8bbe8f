import { ErrorCode, InstantIdError, type Device } from "../../core/index.js";
import { currentDevice, parseOptions, SessionPool, type SessionOpening } from "../../core/internal.js";
import { throwIfAborted } from "./denoise.js";
import { checkPreviewEvery } from "./latent-preview.js";
import { generate, type GenerateResult } from "./generate.js";
import { generateOptionsSchema, type GenerateOptions } from "./options.js";
import { buildHook } from "./worker/hook-modules.js";
import type { RunnerBackend, RunnerControls } from "./runner-backend.js";
import type { RunnerSettings } from "./worker/protocol.js";
import { WorkerClient } from "./worker/worker-client.js";

/** Options of {@link createRunner}: what stays the same for every generation. */
export interface RunnerOptions {
  /** Default model files; a request may name others (opened on first use, then kept too). */
  readonly models?: GenerateOptions["models"];
  /**
   * Execution providers for every session (`"cpu"`, `"cuda"`, `["cuda", "cpu"]`...); default the process's when the runner is created
   * (`configureRuntime`), CPU unless set.
   */
  readonly device?: Device;
  /** Threads per operator for the UNet, IdentityNet and VAE. */
  readonly intraOpThreads?: number;
  /**
   * A folder for each model's optimized graph, saved on the first start and opened on later ones (see `loadSession`'s
   * `optimizedModelFilePath`).
   */
  readonly optimizedModelDir?: string;
  /**
   * Run in a worker thread (the default when the built worker script is there), so ONNX Runtime's
   * blocking `run()` never stalls the caller's event loop; `false` runs in this thread.
   */
  readonly worker?: boolean;
  /** The worker script; defaults to `runner-worker.js` beside the bundle (dist/). */
  readonly workerScript?: string | URL;
}

/** One generation for a runner: generate's options, the models optional (the runner's by default). */
export type RunnerRequest = Omit<GenerateOptions, "models" | "intraOpThreads"> & { readonly models?: Partial<GenerateOptions["models"]> };

/**
 * A long-lived SDXL runner: its sessions (UNet, IdentityNet, VAE) and its worker thread are opened
 * once and kept between generations, so a server or queue worker pays the setup once; generations
 * run one at a time, in call order. `close()` releases everything.
 */
export interface Runner {
  /** Runs one generation; rejects with ABORTED when its signal fires, INVALID_OPTION after close(). */
  generate(request: RunnerRequest, controls?: RunnerControls): Promise<GenerateResult>;
  /** Every session opened so far and how long each took to open. */
  sessions(): Promise<readonly SessionOpening[]>;
  /** Waits for the running generation, then releases the sessions and ends the worker. */
  close(): Promise<void>;
}

function mergeModels(runner: RunnerOptions, request: RunnerRequest): GenerateOptions {
  const models = { ...runner.models, ...request.models };
  if (!models.unet)
    throw new InstantIdError(ErrorCode.InvalidOption, "The runner has no UNet: give models.unet to createRunner or to the request.");
  return { ...request, models: models as GenerateOptions["models"] };
}

/**
 * Opens a long-lived runner.
 * @example
 * const runner = createRunner({ models: { unet: "unet.patched.onnx", vaeDecoder: "vae_decoder.onnx" }, device: "cpu" });
 * try {
 *   const a = await runner.generate({ prompt, seed: 1 }, { hooks: [{ module: "builtin:instantid", options }] });
 *   const b = await runner.generate({ prompt, seed: 2 }); // no session opened again
 * } finally {
 *   await runner.close();
 * }
 */
export function createRunner(options: RunnerOptions = {}): Runner {
  const settings: RunnerSettings = {
    device: options.device ?? currentDevice(),
    intraOpThreads: options.intraOpThreads,
    optimizedModelDir: options.optimizedModelDir,
  };
  const backend =
    (options.worker ?? WorkerClient.available(options.workerScript))
      ? new WorkerClient(settings, options.workerScript)
      : new InProcessBackend(settings);
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const next = queue.then(job, job);
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    async generate(request, controls = {}) {
      if (closed) throw new InstantIdError(ErrorCode.InvalidOption, "This runner was closed; create a new one with createRunner().");
      const merged = mergeModels(options, request);
      parseOptions(generateOptionsSchema, merged, "generate options");
      checkPreviewEvery(controls.previewEvery);
      return serial(() => {
        throwIfAborted(controls.signal);
        return backend.generate(merged, controls);
      });
    },
    sessions: () => backend.sessions(),
    close() {
      closed = true;
      return serial(() => backend.close());
    },
  };
}

/** Generations in this thread, with one session pool for all of them (the worker runs one of these too). */
export class InProcessBackend implements RunnerBackend {
  private readonly pool: SessionPool;

  constructor(settings: RunnerSettings) {
    this.pool = new SessionPool(settings);
  }

  async generate(options: GenerateOptions, controls: RunnerControls): Promise<GenerateResult> {
    const openedBefore = this.pool.opened.length;
    const hooks = await Promise.all((controls.hooks ?? []).map((spec) => buildHook(spec, { sessions: this.pool })));
    const result = await generate(options, {
      hooks,
      onProgress: controls.onProgress,
      previewEvery: controls.previewEvery,
      signal: controls.signal,
      sessions: this.pool,
    });
    const sessionMs = this.pool.opened.slice(openedBefore).reduce((sum, o) => sum + o.ms, 0);
    return { ...result, timings: { ...result.timings, sessionMs } };
  }

  async sessions(): Promise<readonly SessionOpening[]> {
    return [...this.pool.opened];
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
