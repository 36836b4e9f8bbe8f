import type { Tensor } from "../tensor/tensor.js";

/**
 * What a runner tells the hooks once per generation. Rows of every batched tensor follow
 * `rows`: with classifier-free guidance, row 0 is unconditional and row 1 conditional.
 */
export interface GenerationContext {
  /** Row order of the UNet batch. */
  readonly rows: readonly ("uncond" | "cond")[];
  /** Output size in pixels; the latent is 1/8 of it. */
  readonly width: number;
  readonly height: number;
  /** Number of denoising steps. */
  readonly steps: number;
  readonly signal?: AbortSignal;
}

/** What a runner tells the hooks before each UNet call. Tensors carry one row per entry of `rows`. */
export interface StepContext {
  /** 0-based step index and step count, for guidance windows (control_guidance_start/end). */
  readonly index: number;
  readonly total: number;
  /** The scaled latent input of this call, [rows, 4, h/8, w/8]. */
  readonly sample: Tensor;
  /** The timestep, as the UNet takes it. */
  readonly timestep: Tensor;
  /** Text conditioning: prompt tokens [rows, 77k, ctx], pooled [rows, d] and SDXL time ids [rows, 6]. */
  readonly promptEmbeds: Tensor;
  readonly textEmbeds: Tensor;
  readonly timeIds: Tensor;
}

/** ControlNet residuals for one UNet call: the down-block skips in order, and the mid block. */
export interface ControlResiduals {
  readonly down: readonly Tensor[];
  readonly mid: Tensor;
}

/** What one hook adds to one UNet call. */
export interface StepContribution {
  /** Extra named UNet inputs (image tokens, scales, masks...). Two hooks may not set the same name. */
  readonly inputs?: Readonly<Record<string, Tensor>>;
  /** Residuals summed into the UNet's skip connections; contributions of several hooks add up. */
  readonly residuals?: ControlResiduals;
}

/**
 * A hook: named, optional stages, each a pass-through when absent. A runner calls `prepare` once per
 * generation, `beforeStep` before every UNet call, and `reset` when the generation ends or fails.
 */
export interface GenerationHook {
  readonly name: string;
  prepare?(context: GenerationContext): Promise<void> | void;
  beforeStep?(step: StepContext): Promise<StepContribution | undefined> | StepContribution | undefined;
  reset?(): void;
}
