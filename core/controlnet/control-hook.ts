import { ErrorCode, InstantIdError } from "../errors.js";
import type { ControlResiduals, GenerationContext, GenerationHook, StepContext, StepContribution } from "../hooks/types.js";
import { residualBytes, residualTensors } from "../hooks/residuals.js";
import type { Tensor } from "../tensor/tensor.js";
import { stackRows } from "./control-image.js";
import type { ControlNetModel } from "./controlnet-model.js";
import { controlKeep, type GuidanceWindow } from "./gating.js";
import { resizeMaskBilinear } from "../masks/mask-tensor.js";
import { runControlNet } from "./run.js";
import { addPlaneInto, addScaledInto, multiplyPlaneInPlace, scaleInPlace } from "./residual-arithmetic.js";

/** One conditioning of a ControlNet: an image, its scale, window, optional region, optional tokens. */
export interface ControlUnit {
  /** [1, 3, H, W] in [0, 1]. */
  readonly image: Tensor;
  readonly scale: number;
  readonly window: GuidanceWindow;
  /** [1, 1, H, W]; see {@link maskTensor}. */
  readonly mask?: Tensor;
  /** Face tokens per row kind (IdentityNet); without them the prompt embeddings are used. */
  readonly tokens?: { readonly cond: Tensor; readonly uncond: Tensor };
}

/** What the last step cost in residual traffic through JavaScript. */
export interface StepTraffic {
  /** Bytes of the residual set handed to the UNet (the baseline: one pass over it). */
  readonly residualBytes: number;
  /** Bytes read or written by JavaScript while scaling, masking and summing residuals. */
  readonly bytesMoved: number;
  /** ControlNet runs this step. */
  readonly runs: number;
}

/** A hook that runs one ControlNet graph for one or more units and contributes their summed residuals. */
export interface ControlNetHook extends GenerationHook {
  prepare(context: GenerationContext): void;
  beforeStep(step: StepContext): Promise<StepContribution | undefined>;
  reset(): void;
  /** Traffic of the last step, for benchmarks. */
  readonly lastStep: StepTraffic;
}

interface PreparedUnit {
  readonly unit: ControlUnit;
  readonly cond: Tensor;
  readonly tokens?: Tensor;
  readonly planes: Map<string, Float32Array>;
}

/**
 * The shared machinery of IdentityNet and extra ControlNets: per step, every unit inside its window
 * is run, its residuals multiplied by scale × resized mask in place, and the units summed into the
 * first one's buffers. A step with no active unit contributes nothing.
 */
export function createControlUnitsHook(name: string, model: ControlNetModel, units: readonly ControlUnit[]): ControlNetHook {
  let prepared: PreparedUnit[] | undefined;
  let signal: AbortSignal | undefined;
  let lastStep: StepTraffic = { residualBytes: 0, bytesMoved: 0, runs: 0 };
  const prepare = (context: GenerationContext) => {
    signal = context.signal;
    prepared = units.map((unit) => ({
      unit,
      cond: stackRows(context.rows.map(() => unit.image)),
      tokens: unit.tokens && stackRows(context.rows.map((row) => (row === "cond" ? unit.tokens!.cond : unit.tokens!.uncond))),
      planes: new Map(),
    }));
  };
  const beforeStep = async (step: StepContext): Promise<StepContribution | undefined> => {
    if (!prepared) {
      throw new InstantIdError(
        ErrorCode.Internal,
        `The ${name} hook was asked for a step before prepare(); runners must call prepare once per generation`,
      );
    }
    checkRows(name, prepared, step);
    let sum: ControlResiduals | undefined;
    let moved = 0;
    let runs = 0;
    for (const p of prepared) {
      if (p.unit.scale === 0 || controlKeep(step.index, step.total, p.unit.window) === 0) continue;
      signal?.throwIfAborted();
      const residuals = await runControlNet(model, {
        sample: step.sample,
        timestep: step.timestep,
        encoderHiddenStates: p.tokens ?? step.promptEmbeds,
        cond: p.cond,
        textEmbeds: step.textEmbeds,
        timeIds: step.timeIds,
      });
      runs++;
      moved += applyUnit(p, residuals, sum);
      sum ??= residuals;
    }
    lastStep = { residualBytes: sum ? residualBytes(sum) : 0, bytesMoved: moved, runs };
    return sum && { residuals: sum };
  };
  return {
    name,
    get lastStep() {
      return lastStep;
    },
    prepare,
    beforeStep,
    reset() {
      prepared = undefined;
    },
  };
}

// Scales (first unit) or accumulates (later units) in one pass; returns the bytes that pass.
function applyUnit(p: PreparedUnit, residuals: ControlResiduals, sum: ControlResiduals | undefined): number {
  const into = sum ? residualTensors(sum) : undefined;
  const { scale } = p.unit;
  let moved = 0;
  residualTensors(residuals).forEach((t, i) => {
    const plane = p.unit.mask && weightedMask(p, t);
    if (into && plane) addPlaneInto(into[i], t, plane);
    else if (into) addScaledInto(into[i], t, scale);
    else if (plane) multiplyPlaneInPlace(t, plane);
    else if (scale !== 1) scaleInPlace(t, scale);
    if (into || plane || scale !== 1) moved += t.data.byteLength;
  });
  return moved;
}

// scale × mask resized to the residual's grid, computed once per grid size and generation.
function weightedMask(p: PreparedUnit, residual: Tensor): Float32Array {
  const [h, w] = residual.shape.slice(-2);
  const key = `${h}x${w}`;
  let plane = p.planes.get(key);
  if (!plane) {
    plane = resizeMaskBilinear(p.unit.mask!, h, w).map((m) => m * p.unit.scale);
    p.planes.set(key, plane);
  }
  return plane;
}

function checkRows(name: string, prepared: readonly PreparedUnit[], step: StepContext): void {
  const [rows, , h, w] = step.sample.shape;
  const first = prepared[0];
  if (!first) return;
  if (rows !== first.cond.shape[0]) {
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `The ${name} hook was prepared for ${first.cond.shape[0]} rows but the step's sample has ${rows}; pass the same rows to ` +
        `prepare() as to every step`,
    );
  }
  for (const p of prepared) {
    const [, , ch, cw] = p.cond.shape;
    if (ch !== 8 * h || cw !== 8 * w) {
      throw new InstantIdError(
        ErrorCode.ShapeMismatch,
        `The ${name} conditioning image is ${cw}x${ch} but the latent is ${w}x${h}; draw it at the generation size ` +
          `(${8 * w}x${8 * h}, 8x the latent)`,
      );
    }
  }
}
