import { basename, extname, join, resolve } from "node:path";
import { ErrorCode, InstantIdError } from "../errors.js";
import { sha256Hex } from "../io/sha256.js";
import { currentDevice, parseDevice, type Device } from "./device.js";
import { loadSession, type OrtSession } from "./session.js";

/** Options of a {@link SessionPool}: what every session it opens gets. */
export interface SessionPoolOptions {
  /** Execution providers; default the process's (`configureRuntime`), CPU unless set. */
  readonly device?: Device;
  /** Threads per operator for the large models (UNet, IdentityNet, VAE). */
  readonly intraOpThreads?: number;
  /**
   * A folder where each model's optimized graph is saved on first open and opened from then on
   * (`optimizedModelFilePath` of {@link loadSession}, one file per model and device).
   */
  readonly optimizedModelDir?: string;
}

/** How long opening one model took (graph optimization included), for reports and benchmarks. */
export interface SessionOpening {
  readonly model: string;
  readonly what: string;
  readonly ms: number;
}

/**
 * Keeps ONNX Runtime sessions open by model path, so a long-lived runner opens each model once and
 * reuses it for every generation; {@link SessionPool.close} releases them all. Sessions it hands
 * out belong to the pool: callers must not release them.
 */
export class SessionPool {
  private readonly sessions = new Map<string, Promise<OrtSession>>();
  private readonly openings: SessionOpening[] = [];
  private closed = false;

  constructor(readonly options: SessionPoolOptions = {}) {}

  /** The session of `model` (a path), opened on first use with the pool's device and threads. */
  open(model: string, what: string): Promise<OrtSession> {
    if (this.closed)
      return Promise.reject(
        new InstantIdError(ErrorCode.InvalidOption, `The runner was closed; cannot open the ${what} model ${model}. Create a new runner.`),
      );
    const key = resolve(model);
    let session = this.sessions.get(key);
    if (!session) {
      session = this.load(key, what);
      this.sessions.set(key, session);
      session.catch(() => this.sessions.delete(key));
    }
    return session;
  }

  /** Every session opened so far and how long each took. */
  get opened(): readonly SessionOpening[] {
    return this.openings;
  }

  /** Releases every session; the pool opens nothing afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const open = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(open.map(async (pending) => (await pending.catch(() => undefined))?.release()));
  }

  private async load(model: string, what: string): Promise<OrtSession> {
    const started = performance.now();
    const session = await loadSession(model, {
      what,
      device: this.options.device,
      intraOpThreads: this.options.intraOpThreads,
      optimizedModelFilePath: this.options.optimizedModelDir
        ? optimizedModelPath(this.options.optimizedModelDir, model, this.options.device)
        : undefined,
    });
    this.openings.push({ model, what, ms: performance.now() - started });
    return session;
  }
}

/**
 * `<dir>/<name>.<hash>.<device>.onnx`: the hash of the model's absolute path tells apart models
 * that share a file name (optimum's `unet/model.onnx` and `vae_decoder/model.onnx`).
 */
export function optimizedModelPath(dir: string, model: string, device: Device = currentDevice()): string {
  const absolute = resolve(model);
  const providers = parseDevice(device).join("+");
  const hash = sha256Hex(absolute).slice(0, 10);
  return join(dir, `${basename(absolute, extname(absolute))}.${hash}.${providers}.onnx`);
}

/**
 * What a hook factory may be given besides its options: the runner's session pool, so the models
 * it opens (IdentityNet) stay open between generations and are released with the runner.
 */
export interface SessionContext {
  readonly sessions?: SessionPool;
}
