/** Where a UNet call sits in a generation, judged from the timesteps a runner passes. */
export interface StepPosition {
  /** True on the first call of a new generation (hooks must be prepared again). */
  readonly newGeneration: boolean;
  /** 0-based step index within the generation. */
  readonly index: number;
  /** 0-based count of calls within this step (runners that run uncond and cond separately call twice). */
  readonly call: number;
}

/**
 * Detects steps from timesteps alone: schedulers run from high noise to low, so a timestep lower
 * than the previous one is the next step, the same one is another call of the same step, and a
 * higher one starts a new generation.
 */
export function createStepTracker(): { next(timestep: number): StepPosition; clear(): void } {
  let previous: number | undefined;
  let index = -1;
  let call = 0;
  return {
    next(timestep) {
      if (previous === undefined || timestep > previous) {
        previous = timestep;
        index = 0;
        call = 0;
        return { newGeneration: true, index, call };
      }
      if (timestep < previous) (index += 1), (call = 0);
      else call += 1;
      previous = timestep;
      return { newGeneration: false, index, call };
    },
    clear() {
      previous = undefined;
      index = -1;
      call = 0;
    },
  };
}
