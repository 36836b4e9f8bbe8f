import type { GenerationHook } from "../../../../core/hooks/types.js";

/** Slots of a probe gate, a shared Int32Array: the test sets RELEASE, the worker sets BLOCKED. */
export const GATE = { release: 0, blocked: 1 } as const;

/** A gate for {@link createProbeHook}, shared with the worker (structured clone keeps a SharedArrayBuffer shared). */
export function createGate(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
}

/**
 * A hook module for worker tests: at step `blockAt` (default 1) it says it is blocked and waits until the test
 * releases the gate, holding its thread as onnxruntime-node's run() holds the worker's. No clock is involved:
 * a test that needs its own event loop to run while the worker is blocked finishes only if it does.
 */
export function createProbeHook(options: { gate: Int32Array; blockAt?: number }): GenerationHook {
  let step = 0;
  return {
    name: "probe",
    beforeStep: () => {
      step++;
      if (step === (options.blockAt ?? 1)) {
        Atomics.store(options.gate, GATE.blocked, 1);
        Atomics.wait(options.gate, GATE.release, 0);
      }
      return undefined;
    },
  };
}
