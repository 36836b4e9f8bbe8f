import type { GenerationHook } from "../../../../core/hooks/types.js";

/** A hook module for worker tests: records its calls into the step count it reports and, on step `stallAt`, busy-waits `stallMs`. */
export function createProbeHook(options: { stallMs?: number }): GenerationHook {
  return {
    name: "probe",
    beforeStep: () => {
      const until = Date.now() + (options.stallMs ?? 0);
      while (Date.now() < until) {
        // Stands in for a slow UNet: blocks this (worker) thread like onnxruntime-node's run().
      }
      return undefined;
    },
  };
}
