import { createDdimScheduler } from "./ddim.js";
import { createDpmpp2mKarrasScheduler } from "./dpmpp-2m-karras.js";
import { createEulerAncestralScheduler } from "./euler-ancestral.js";
import { createEulerScheduler } from "./euler.js";
import { createLcmScheduler } from "./lcm.js";
import type { Scheduler, SchedulerName } from "./types.js";

/** Every scheduler by name; "euler" is the InstantID reference default. */
export const schedulers: Readonly<Record<SchedulerName, (steps: number) => Scheduler>> = {
  euler: createEulerScheduler,
  "euler-ancestral": createEulerAncestralScheduler,
  "dpmpp-2m-karras": createDpmpp2mKarrasScheduler,
  ddim: createDdimScheduler,
  lcm: createLcmScheduler,
};

/** A fresh scheduler of the given kind for `steps` steps. */
export function createScheduler(name: SchedulerName, steps: number): Scheduler {
  return schedulers[name](steps);
}

export { createDdimScheduler, createDpmpp2mKarrasScheduler, createEulerAncestralScheduler, createEulerScheduler, createLcmScheduler };
export { SDXL_TRAINING } from "./types.js";
export type { Scheduler, SchedulerName, TrainingSchedule } from "./types.js";
