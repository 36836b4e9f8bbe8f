import { z } from "zod";
import { ErrorCode, InstantIdError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { parseOptions } from "../validate.js";
import type { GenerationContext, GenerationHook, StepContext, StepContribution } from "./types.js";

/** One face for the patched UNet's image attention. */
export interface ImageAdapterIdentity {
  /** Resampler(face embedding), [1, 16, ctx] or [16, ctx]: conditional rows. */
  readonly faceTokens: Tensor;
  /** Resampler(zeros): unconditional rows. */
  readonly uncondFaceTokens: Tensor;
  /** Image-attention scale; default 0.8 as InstantID's README. */
  readonly scale?: number;
  /** Region of this face, [1, 1, H, W] at any resolution (the patched graph resizes it, nearest). */
  readonly mask?: Tensor;
}

/** Names of the patched UNet's extra inputs for identity `i` (0-based). */
export interface ImageAdapterInputNames {
  tokens(identity: number): string;
  scale(identity: number): string;
  mask(identity: number): string;
}

/** The names `patchImageAdapter` gives its inputs. */
export const defaultImageAdapterInputs: ImageAdapterInputNames = {
  tokens: (i) => (i === 0 ? "ip_tokens" : `ip_tokens_${i}`),
  scale: (i) => (i === 0 ? "ip_scale" : `ip_scale_${i}`),
  mask: (i) => (i === 0 ? "ip_mask" : `ip_mask_${i}`),
};

/** Options of {@link createImageAdapterHook}. */
export interface ImageAdapterHookOptions {
  readonly identities: readonly ImageAdapterIdentity[];
  /**
   * "inputs" (default): tokens, scales and masks as the patched graph's extra inputs.
   * "encoder_hidden_states": the tokens appended to the prompt embeddings, for graphs patched to read
   * their last 16 positions, so a runner passing only the usual inputs works unchanged.
   */
  readonly tokensIn?: "inputs" | "encoder_hidden_states";
  readonly inputNames?: ImageAdapterInputNames;
  /** Name of the UNet's text input, for "encoder_hidden_states"; default "encoder_hidden_states". */
  readonly encoderHiddenStatesName?: string;
  readonly name?: string;
}

const tensorLike = z.custom<Tensor>((v) => typeof v === "object" && v !== null && "shape" in v && (v as Tensor).data instanceof Float32Array, "a Tensor");
const optionsSchema = z.object({
  identities: z.array(z.object({ faceTokens: tensorLike, uncondFaceTokens: tensorLike, scale: z.number().min(0).optional(), mask: tensorLike.optional() })).min(1),
  tokensIn: z.enum(["inputs", "encoder_hidden_states"]).default("inputs"),
  inputNames: z.custom<ImageAdapterInputNames>().default(defaultImageAdapterInputs),
  encoderHiddenStatesName: z.string().default("encoder_hidden_states"),
  name: z.string().min(1).default("image-adapter"),
});

/**
 * The Image Adapter hook: supplies a patched UNet's face inputs (per identity: tokens for every
 * row, the scale, the mask). They are built once in prepare and handed out unchanged every step;
 * the image attention is active on every step, as InstantID does.
 */
export function createImageAdapterHook(options: ImageAdapterHookOptions): GenerationHook {
  const o = parseOptions(optionsSchema, options, "Image Adapter hook options");
  let inputs: Record<string, Tensor> | undefined;
  let rowTokens: Tensor[] = [];
  let appended: { source: Float32Array; value: Tensor } | undefined;
  return {
    name: o.name,
    prepare(context: GenerationContext) {
      rowTokens = o.identities.map((id) => stackTokens(context.rows.map((r) => (r === "cond" ? id.faceTokens : id.uncondFaceTokens))));
      appended = undefined;
      inputs = {};
      if (o.tokensIn === "encoder_hidden_states") return;
      o.identities.forEach((id, i) => {
        inputs![o.inputNames.tokens(i)] = rowTokens[i];
        inputs![o.inputNames.scale(i)] = { shape: [1], data: new Float32Array([id.scale ?? 0.8]) };
        if (id.mask) inputs![o.inputNames.mask(i)] = id.mask;
      });
    },
    beforeStep(step: StepContext): StepContribution {
      if (!inputs) throw new InstantIdError(ErrorCode.Internal, `The ${o.name} hook was asked for a step before prepare(); runners must call prepare once per generation`);
      if (o.tokensIn === "inputs") return { inputs };
      if (appended?.source !== step.promptEmbeds.data) appended = { source: step.promptEmbeds.data, value: appendTokens(step.promptEmbeds, rowTokens) };
      return { inputs: { [o.encoderHiddenStatesName]: appended.value } };
    },
    reset() {
      inputs = undefined;
      appended = undefined;
      rowTokens = [];
    },
  };
}

function stackTokens(rows: readonly Tensor[]): Tensor {
  const size = rows[0].data.length;
  const ctx = rows[0].shape[rows[0].shape.length - 1];
  const data = new Float32Array(size * rows.length);
  rows.forEach((t, r) => data.set(t.data, r * size));
  return { shape: [rows.length, size / ctx, ctx], data };
}

// [rows, T, ctx] + per identity [rows, 16, ctx] → [rows, T + 16·n, ctx].
function appendTokens(prompt: Tensor, tokens: readonly Tensor[]): Tensor {
  const [rows, length, ctx] = prompt.shape;
  const extra = tokens.reduce((n, t) => n + t.shape[1], 0);
  const data = new Float32Array(rows * (length + extra) * ctx);
  for (let r = 0; r < rows; r++) {
    let at = r * (length + extra) * ctx;
    data.set(prompt.data.subarray(r * length * ctx, (r + 1) * length * ctx), at);
    at += length * ctx;
    for (const t of tokens) {
      const n = t.shape[1] * ctx;
      data.set(t.data.subarray(r * n, (r + 1) * n), at);
      at += n;
    }
  }
  return { shape: [rows, length + extra, ctx], data };
}
