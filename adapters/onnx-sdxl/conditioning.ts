import { ErrorCode, InstantIdError, tensor, type Tensor } from "../../core/index.js";
import type { PromptEmbeds, ResolvedGenerateOptions } from "./options.js";

/** The text conditioning of every UNet call, batched along `rows`. */
export interface Conditioning {
  readonly rows: readonly ("uncond" | "cond")[];
  readonly promptEmbeds: Tensor;
  readonly textEmbeds: Tensor;
  readonly timeIds: Tensor;
}

function stack(parts: readonly Tensor[]): Tensor {
  const [first] = parts;
  const data = new Float32Array(first.data.length * parts.length);
  parts.forEach((part, i) => data.set(part.data, i * first.data.length));
  return tensor([parts.length, ...first.shape.slice(1)], data);
}

function singleRow(t: Tensor, what: string, like?: Tensor): Tensor {
  if (t.shape[0] !== 1 || (like && t.shape.join() !== like.shape.join())) {
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `${what} has shape [${t.shape.join(", ")}] but one row${like ? ` shaped like [${like.shape.join(", ")}]` : ""} was expected.`,
    );
  }
  return t;
}

/**
 * Batches the prompt for classifier-free guidance: rows [uncond, cond] when guidance > 1 (as
 * diffusers does), else [cond] only. A missing negative is zeros, SDXL's empty negative prompt.
 */
export function buildConditioning(
  options: ResolvedGenerateOptions,
  size: { width: number; height: number },
  prompt: PromptEmbeds,
): Conditioning {
  const embeds = singleRow(prompt.embeds, "prompt.embeds");
  const pooled = singleRow(prompt.pooled, "prompt.pooled");
  const timeIds = options.timeIds
    ? singleRow(options.timeIds, "timeIds")
    : tensor([1, 6], [size.height, size.width, 0, 0, size.height, size.width]);
  if (options.guidance <= 1) return { rows: ["cond"], promptEmbeds: embeds, textEmbeds: pooled, timeIds };
  const negativeEmbeds = prompt.negativeEmbeds ? singleRow(prompt.negativeEmbeds, "prompt.negativeEmbeds", embeds) : tensor(embeds.shape);
  const negativePooled = prompt.negativePooled ? singleRow(prompt.negativePooled, "prompt.negativePooled", pooled) : tensor(pooled.shape);
  return {
    rows: ["uncond", "cond"],
    promptEmbeds: stack([negativeEmbeds, embeds]),
    textEmbeds: stack([negativePooled, pooled]),
    timeIds: stack([timeIds, timeIds]),
  };
}

/** The latent repeated once per row: [rows, 4, h, w]. */
export function repeatRows(latent: Float32Array, rows: number, shape: readonly number[]): Tensor {
  const data = new Float32Array(latent.length * rows);
  for (let r = 0; r < rows; r++) data.set(latent, r * latent.length);
  return tensor([rows, ...shape.slice(1)], data);
}
