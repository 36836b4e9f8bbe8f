import type { Tensor } from "../tensor/tensor.js";

/**
 * SDXL's text conditioning, shaped as the runner's `prompt` option: prompt tokens [1, 77, d1 + d2]
 * and the pooled embedding [1, d2], with the negative prompt's (zeros when there is none).
 */
export interface PromptConditioning {
  readonly embeds: Tensor;
  readonly pooled: Tensor;
  readonly negativeEmbeds: Tensor;
  readonly negativePooled: Tensor;
}

/** The prompts of one SDXL generation, as diffusers' `encode_prompt` takes them. */
export interface PromptText {
  readonly prompt: string;
  /** For text_encoder_2; defaults to `prompt`. */
  readonly prompt2?: string;
  /** Absent: no negative prompt, so zeros (SDXL's force_zeros_for_empty_prompt). `""` is encoded like any text. */
  readonly negativePrompt?: string;
  /** For text_encoder_2; defaults to `negativePrompt`. */
  readonly negativePrompt2?: string;
}

/** A prompt longer than the encoders take: its tail was dropped, as diffusers does. */
export interface PromptWarning {
  readonly code: "prompt-truncated";
  readonly message: string;
  /** Which text: "prompt", "prompt2", "negativePrompt", "negativePrompt2". */
  readonly field: keyof PromptText;
  readonly tokenCount: number;
  readonly dropped: number;
}
