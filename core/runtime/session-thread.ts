import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { ErrorCode, InstantIdError } from "../errors.js";
import { moveToExternalData } from "../onnx/external-data.js";
import { encodeModel, type OnnxModel } from "../onnx/model.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkDevice } from "./device.js";
import { sessionOptions, type LoadSessionOptions } from "./session.js";

// onnxruntime-node's run() computes on the thread that calls it; this thread's only job is to be that
// thread, so the caller's event loop keeps serving while the SDK's own graphs (Resampler, K/V products) run.
// It is plain CommonJS needing nothing but onnxruntime-node, so it runs from sources and bundles alike.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const ort = require(workerData.ort);
const sessions = new Map();
const fail = (id, error) => parentPort.postMessage({ id, error: String(error && error.message || error) });
parentPort.on("message", async (m) => {
  try {
    if (m.type === "open") {
      sessions.set(m.session, await ort.InferenceSession.create(m.model, m.options));
      parentPort.postMessage({ id: m.id });
    } else if (m.type === "run") {
      const feeds = {};
      for (const [name, t] of Object.entries(m.feeds)) feeds[name] = new ort.Tensor("float32", t.data, t.shape);
      const outputs = await sessions.get(m.session).run(feeds);
      const result = {};
      const transfer = [];
      for (const [name, t] of Object.entries(outputs)) {
        result[name] = { shape: t.dims, data: t.data };
        transfer.push(t.data.buffer);
      }
      parentPort.postMessage({ id: m.id, result }, transfer);
    } else if (m.type === "release") {
      const session = sessions.get(m.session);
      sessions.delete(m.session);
      if (session) await session.release();
      parentPort.postMessage({ id: m.id });
    }
  } catch (error) {
    fail(m.id, error);
  }
});
`;

interface Reply {
  readonly id: number;
  readonly error?: string;
  readonly result?: Record<string, Tensor>;
}

let thread: { worker: Worker; pending: Map<number, (reply: Reply) => void>; users: number } | undefined;
let nextId = 1;

function sessionThread(): NonNullable<typeof thread> {
  if (thread) return thread;
  const ortEntry = createRequire(import.meta.url).resolve("onnxruntime-node");
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ort: ortEntry } });
  const pending = new Map<number, (reply: Reply) => void>();
  worker.on("message", (reply: Reply) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
  });
  const lost = (error: Error) => {
    for (const settle of pending.values()) settle({ id: 0, error: `the ONNX Runtime thread stopped: ${error.message}` });
    pending.clear();
    if (thread?.worker === worker) thread = undefined;
  };
  worker.on("error", lost);
  worker.on("exit", (code) => lost(new Error(`exit code ${code}`)));
  worker.unref(); // an idle session thread never keeps the process alive; a pending call does (see call)
  thread = { worker, pending, users: 0 };
  return thread;
}

function call(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
  const t = sessionThread();
  const id = nextId++;
  return new Promise((resolve) => {
    if (t.pending.size === 0) t.worker.ref();
    t.pending.set(id, resolve);
    t.worker.postMessage({ ...message, id }, transfer);
  });
}

/**
 * An ONNX Runtime session that lives on the SDK's session thread: creating it and running it never
 * block the caller's event loop. For the SDK's own float32 graphs (the Resampler); feeds are copied to
 * the thread (small), outputs come back without a copy.
 */
export class ThreadSession {
  private constructor(
    private readonly id: number,
    readonly what: string,
  ) {}

  /**
   * Opens `model` (a path, or encoded bytes, which are handed over to the thread: the caller's array
   * is emptied) on the session thread with the SDK's session options and device.
   */
  static async create(model: string | Uint8Array, options: LoadSessionOptions): Promise<ThreadSession> {
    const settings = sessionOptions(options);
    checkDevice(settings.executionProviders as string[], (await import("onnxruntime-node")).listSupportedBackends());
    const id = nextId++;
    const transfer = typeof model === "string" ? [] : [model.buffer as ArrayBuffer];
    const reply = await call({ type: "open", session: id, model, options: settings }, transfer);
    if (reply.error) {
      throw new InstantIdError(ErrorCode.ModelInvalid, `ONNX Runtime could not load the ${options.what} model: ${reply.error}`);
    }
    sessionThread().users++;
    return new ThreadSession(id, options.what);
  }

  /**
   * Opens a graph built in memory (its weights as initializers). The weights go to a temporary
   * external-data file that ONNX Runtime reads directly — protobuf-encoding hundreds of MB of
   * initializers in JavaScript took seconds per 100 MB — and the files are removed once the
   * session holds its own copy. `model` is changed (its initializers point at the file): build a new one per call.
   */
  static async fromGraph(model: OnnxModel, options: LoadSessionOptions): Promise<ThreadSession> {
    const dir = await mkdtemp(join(tmpdir(), "instantid-graph-"));
    try {
      const path = join(dir, "model.onnx");
      const large = new Set(model.graph.initializer.filter((t) => t.name && (t.rawData?.byteLength ?? 0) >= 1024).map((t) => t.name!));
      await moveToExternalData(model.graph, large, path, `${path}.data`);
      await writeFile(path, encodeModel(model));
      return await ThreadSession.create(path, options);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Runs the graph on float32 feeds; rejects with an error naming the model and the feed shapes. */
  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const reply = await call({
      type: "run",
      session: this.id,
      feeds: Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, { shape: [...t.shape], data: t.data }])),
    });
    if (reply.error) {
      const shapes = Object.entries(feeds)
        .map(([name, t]) => `${name}[${t.shape.join(",")}]`)
        .join(", ");
      throw new InstantIdError(ErrorCode.ModelInvalid, `Running the ${this.what} failed with inputs ${shapes}: ${reply.error}`);
    }
    return reply.result!;
  }

  /** Frees the session's native memory; the thread ends when no session is left. */
  async release(): Promise<void> {
    await call({ type: "release", session: this.id });
    if (thread && --thread.users <= 0) {
      const worker = thread.worker;
      thread = undefined;
      await worker.terminate();
    }
  }
}
