import { z } from "zod";
import { ErrorCode, InstantIdError } from "../errors.js";
import { type MaskInput, maskTensor } from "../masks/mask-tensor.js";
import { imageAdapterInputNames, type ImageAdapterInputs } from "../patch/patch-graph.js";
import type { Tensor } from "../tensor/tensor.js";
import { parseOptions } from "../validate.js";
import { maskSchema, tensorSchema } from "../schemas.js";
import { adapterScaleSchema, renamedStrength } from "../strength.js";
import type { GenerationContext, GenerationHook, StepContext, StepContribution } from "../hooks/types.js";

/** One face for the patched UNet's image attention. */
export interface ImageAdapterIdentity {
  /** Resampler(face embedding), [1, 16, ctx] or [16, ctx]: conditional rows. */
  readonly faceTokens: Tensor;
  /** Resampler(zeros): unconditional rows. */
  readonly uncondFaceTokens: Tensor;
  /** Image-attention scale, 0 to 10; default `DEFAULT_ADAPTER_SCALE` (0.8, InstantID's README). */
  readonly adapterScale?: number;
  /** Region of this face at any resolution (the patched graph resizes it, nearest): a `RegionMask` or a [1, 1, H, W] tensor. */
  readonly mask?: MaskInput;
}

/** Options of {@link createImageAdapterHook}. */
export interface ImageAdapterHookOptions {
  readonly identities: readonly ImageAdapterIdentity[];
  /**
   * "inputs" (default): the tokens are the patched graph's `ip_tokens_<i>` inputs. "context": they are
   * appended to the prompt embeddings (identity 0 first), for graphs patched with `tokens: "context"`.
   * Scales (and masks) are graph inputs either way.
   */
  readonly tokensIn?: "inputs" | "context";
  /** The patched graph's input names, e.g. `patchImageAdapter(...).inputs`; default the patch's convention. */
  readonly inputNames?: ImageAdapterInputs;
  /** Name of the UNet's text input, for "encoder_hidden_states"; default "encoder_hidden_states". */
  readonly encoderHiddenStatesName?: string;
  readonly name?: string;
}

const optionsSchema = z.object({
  identities: z
    .array(
      z.object({
        faceTokens: tensorSchema,
        uncondFaceTokens: tensorSchema,
        adapterScale: adapterScaleSchema,
        scale: renamedStrength("adapterScale"),
        mask: maskSchema.optional(),
      }),
    )
    .min(1),
  tokensIn: z.enum(["inputs", "context"]).default("inputs"),
  inputNames: z
    .custom<ImageAdapterInputs>(
      (v) => typeof v === "object" && v !== null && "scales" in v,
      "{tokens, scales, masks} from patchImageAdapter",
    )
    .optional(),
  encoderHiddenStatesName: z.string().default("encoder_hidden_states"),
  name: z.string().min(1).default("image-adapter"),
});

/**
 * The Image Adapter hook: supplies a patched UNet's face inputs (per identity: tokens for every
 * row, the adapter scale, the mask). They are built once in prepare and handed out unchanged every step;
 * the image attention is active on every step, as InstantID does.
 */
export function createImageAdapterHook(options: ImageAdapterHookOptions): GenerationHook {
  const o = parseOptions(optionsSchema, options, "Image Adapter hook options");
  const names =
    o.inputNames ??
    imageAdapterInputNames({ identities: o.identities.length, tokens: o.tokensIn, masks: o.identities.some((id) => id.mask) });
  checkNames(o.name, names, o.identities, o.tokensIn);
  let inputs: Record<string, Tensor> | undefined;
  let rowTokens: Tensor[] = [];
  let appended: { source: Float32Array; value: Tensor } | undefined;
  return {
    name: o.name,
    prepare(context: GenerationContext) {
      rowTokens = o.identities.map((id) => stackTokens(context.rows.map((r) => (r === "cond" ? id.faceTokens : id.uncondFaceTokens))));
      appended = undefined;
      inputs = {};
      o.identities.forEach((id, i) => {
        if (o.tokensIn === "inputs") inputs![names.tokens[i]] = rowTokens[i];
        inputs![names.scales[i]] = { shape: [1], data: new Float32Array([id.adapterScale]) };
        // A graph patched with masks needs one per identity; no mask means the whole picture.
        if (names.masks.length)
          inputs![names.masks[i]] = id.mask ? maskTensor(id.mask) : { shape: [1, 1, 1, 1], data: new Float32Array([1]) };
      });
    },
    beforeStep(step: StepContext): StepContribution {
      if (!inputs)
        throw new InstantIdError(
          ErrorCode.Internal,
          `The ${o.name} hook was asked for a step before prepare(); runners must call prepare once per generation`,
        );
      if (o.tokensIn === "inputs") return { inputs };
      if (appended?.source !== step.promptEmbeds.data)
        appended = { source: step.promptEmbeds.data, value: appendTokens(step.promptEmbeds, rowTokens) };
      return { inputs: { ...inputs, [o.encoderHiddenStatesName]: appended.value } };
    },
    reset() {
      inputs = undefined;
      appended = undefined;
      rowTokens = [];
    },
  };
}

function checkNames(hook: string, names: ImageAdapterInputs, identities: readonly unknown[], tokensIn: string): void {
  const want = identities.length;
  const problem =
    names.scales.length !== want
      ? `${names.scales.length} scale inputs`
      : tokensIn === "inputs" && names.tokens.length !== want
        ? `${names.tokens.length} token inputs`
        : names.masks.length !== 0 && names.masks.length !== want
          ? `${names.masks.length} mask inputs`
          : undefined;
  if (problem) {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `The ${hook} hook has ${want} identities but the patched UNet has ${problem}; patch the UNet with identities: ` +
        `${want}${tokensIn === "context" ? ' and tokens: "context"' : ""}`,
    );
  }
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
