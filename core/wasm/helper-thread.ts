import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ErrorCode, InstantIdError } from "../errors.js";
import type { WasmMemory } from "./webassembly.js";

/** One kernel a helper thread can run: a module's bytes and the function it exports. */
export interface HelperKernel {
  readonly bytes: Uint8Array;
  readonly exportName: string;
}

/** How long the first split job waits for the helper thread to start before going on alone. */
const HELPER_START_TIMEOUT_MS = 1000;

// control block slots: job sequence, last job done, ready flag, last job failed, then the job: kernel index, parameter count, parameters
const SEQ = 0,
  DONE = 1,
  READY = 2,
  FAILED = 3,
  KERNEL = 4,
  COUNT = 5,
  PARAMS = 6;
const CONTROL_SLOTS = 32;

/** The worker's whole program: instantiate the kernels on the shared memory, then run each posted job. */
const HELPER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { kernels, memory, control } = workerData;
const run = kernels.map((k) => new WebAssembly.Instance(new WebAssembly.Module(k.bytes), { env: { memory } }).exports[k.exportName]);
Atomics.store(control, ${READY}, 1);
Atomics.notify(control, ${READY});
let seen = 0;
for (;;) {
  Atomics.wait(control, ${SEQ}, seen);
  seen = Atomics.load(control, ${SEQ});
  try {
    run[control[${KERNEL}]](...control.subarray(${PARAMS}, ${PARAMS} + control[${COUNT}]));
    Atomics.store(control, ${FAILED}, 0);
  } catch {
    Atomics.store(control, ${FAILED}, 1);
  }
  Atomics.store(control, ${DONE}, seen);
  Atomics.notify(control, ${DONE});
}`;

/**
 * How many threads the SIMD kernels use: two on a multi-core machine (the caller's and one helper),
 * one with a single core or INSTANTID_THREADS=1.
 */
export function kernelThreads(): number {
  return Math.min(2, availableParallelism(), Number(process.env.INSTANTID_THREADS) || 2);
}

/**
 * A worker thread running WebAssembly kernels on the same shared memory as the caller's thread, so
 * a job can be split in two halves: the helper takes one while the caller runs the other.
 */
export class KernelHelper {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));

  constructor(kernels: readonly HelperKernel[], memory: WasmMemory) {
    const worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { kernels, memory, control: this.control } });
    worker.unref();
    worker.on("error", () => Atomics.store(this.control, READY, 0));
    // A thread starts in tens of milliseconds without needing our event loop; waiting here means
    // even fully synchronous callers get both cores from the first job on.
    Atomics.wait(this.control, READY, 0, HELPER_START_TIMEOUT_MS);
  }

  /** Whether the thread is up and taking jobs. */
  get ready(): boolean {
    return Atomics.load(this.control, READY) === 1;
  }

  /** Starts kernel `kernel`(...params) on the helper thread; returns the job's number for {@link finish}. */
  start(kernel: number, params: readonly number[]): number {
    this.control[KERNEL] = kernel;
    this.control[COUNT] = params.length;
    this.control.set(params, PARAMS);
    const seq = Atomics.add(this.control, SEQ, 1) + 1;
    Atomics.notify(this.control, SEQ);
    return seq;
  }

  /**
   * Blocks until job `seq` is done (main-thread Atomics.wait is allowed in Node).
   * @throws InstantIdError INTERNAL when the kernel failed on the helper thread (a WebAssembly trap).
   */
  finish(seq: number): void {
    for (let done = Atomics.load(this.control, DONE); done !== seq; done = Atomics.load(this.control, DONE))
      Atomics.wait(this.control, DONE, done, 1000);
    if (Atomics.load(this.control, FAILED)) {
      throw new InstantIdError(
        ErrorCode.Internal,
        "A WebAssembly kernel failed on the SDK's helper thread. Retry with INSTANTID_THREADS=1 (and INSTANTID_SIMD=0 for the letterbox), and report the inputs that caused it.",
      );
    }
  }
}
