import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { ErrorCode, InstantIdError, type ErrorCode as Code, type ProgressListener } from "../../../core/index.js";
import type { SessionOpening } from "../../../core/internal.js";
import type { GenerateResult } from "../generate.js";
import type { GenerateOptions } from "../options.js";
import type { RunnerBackend, RunnerControls } from "../runner-backend.js";
import type { RunnerSettings } from "./protocol.js";
import type { WorkerRequest, WorkerMessage } from "./protocol.js";

/** The built worker script beside the running bundle, or an error saying how to get one. */
export function locateWorkerScript(): URL {
  const url = new URL("./runner-worker.js", import.meta.url);
  if (url.protocol === "file:" && existsSync(fileURLToPath(url))) return url;
  throw new InstantIdError(
    ErrorCode.Internal,
    `The runner's worker script ${url.href} does not exist: the worker runs from the built package (npm run build writes ` +
      `dist/runner-worker.js). From TypeScript sources, build it and pass workerScript, or run in-process (worker: false / generate()).`,
  );
}

interface Pending {
  readonly resolve: (value: never) => void;
  readonly reject: (error: InstantIdError) => void;
  readonly onProgress?: ProgressListener;
}

/** The ABORTED error a cancelled generation rejects with. */
export function abortError(signal: AbortSignal, stopped: string): InstantIdError {
  return new InstantIdError(ErrorCode.Aborted, `Generation was cancelled (its AbortSignal fired); ${stopped}.`, { cause: signal.reason });
}

/**
 * The runner's worker thread seen from the caller: started on first use, kept between generations
 * (with its session pool), restarted if it dies, ended by close().
 */
export class WorkerClient implements RunnerBackend {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closing: (() => void) | undefined;

  constructor(
    private readonly settings: RunnerSettings,
    private readonly script?: string | URL,
  ) {}

  /** True when a worker script is there to start (given, or built beside the bundle). */
  static available(script?: string | URL): boolean {
    if (script) return true;
    try {
      locateWorkerScript();
      return true;
    } catch {
      return false;
    }
  }

  generate(options: GenerateOptions, controls: RunnerControls): Promise<GenerateResult> {
    const id = this.nextId++;
    const signal = controls.signal;
    return new Promise<GenerateResult>((resolve, reject) => {
      const onAbort = (): void => {
        // The worker stops between steps and keeps its sessions; the caller need not wait for it.
        this.pending.delete(id);
        this.worker?.postMessage({ type: "abort", id } satisfies WorkerRequest);
        settle(() => reject(abortError(signal!, "the runner stops it at the next step and stays usable")));
      };
      const settle = (done: () => void): void => {
        signal?.removeEventListener("abort", onAbort);
        done();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, {
        resolve: (value) => settle(() => resolve(value)),
        reject: (error) => settle(() => reject(error)),
        onProgress: controls.onProgress,
      });
      this.send({ type: "run", id, options, hooks: controls.hooks ?? [], previewEvery: controls.previewEvery });
    });
  }

  sessions(): Promise<readonly SessionOpening[]> {
    if (!this.worker) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: never) => void, reject });
      this.send({ type: "sessions", id });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      this.closing = resolve;
      worker.postMessage({ type: "close" } satisfies WorkerRequest);
    });
    await worker.terminate();
    this.worker = undefined;
  }

  /** Ends the worker at once (its sessions with it); pending generations reject with `error`. */
  async terminate(error: InstantIdError): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(error);
    await worker?.terminate();
  }

  private send(request: WorkerRequest): void {
    this.start().postMessage(request);
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script ?? locateWorkerScript());
    worker.on("message", (message: WorkerMessage) => this.receive(message));
    worker.on("error", (error) =>
      this.lost(worker, new InstantIdError(ErrorCode.Internal, `The runner's worker thread failed: ${error.message}`, { cause: error })),
    );
    worker.on("exit", (code) =>
      this.lost(worker, new InstantIdError(ErrorCode.Internal, `The runner's worker thread exited (code ${code}) before finishing.`)),
    );
    worker.postMessage({ type: "init", settings: this.settings } satisfies WorkerRequest);
    this.worker = worker;
    return worker;
  }

  private receive(message: WorkerMessage): void {
    if (message.type === "closed") {
      this.closing?.();
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return; // an aborted generation finishing, already settled
    if (message.type === "progress") {
      pending.onProgress?.(message.event);
      return;
    }
    this.pending.delete(message.id);
    if (message.type === "done") pending.resolve(message.result as never);
    else if (message.type === "sessions") pending.resolve(message.opened as never);
    else pending.reject(new InstantIdError(message.code as Code, message.message, { details: message.details }));
  }

  /** A worker that died takes its pending work with it; the next generation starts a new one. */
  private lost(worker: Worker, error: InstantIdError): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.closing?.();
    this.failAll(error);
  }

  private failAll(error: InstantIdError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(error);
  }
}
