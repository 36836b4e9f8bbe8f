import { z } from "zod";
import { ErrorCode, InstantIdError } from "../errors.js";
import { tensor, type Tensor } from "../tensor/tensor.js";
import { parseOptions } from "../validate.js";
import { ClipTextEncoder } from "./clip-text-encoder.js";
import { ClipTokenizer, type TokenizedPrompt } from "./clip-tokenizer.js";
import { concatLastAxis } from "./concat-last-axis.js";
import type { PromptConditioning, PromptText, PromptWarning } from "./prompt-conditioning.js";
import type { SdxlTextModels } from "./sdxl-text-models.js";

/** Options of {@link SdxlTextEncoder.open}. */
export interface OpenSdxlTextEncoderOptions {
  /** Threads per ONNX operator. */
  readonly intraOpThreads?: number;
}

/** Options of {@link SdxlTextEncoder.encode}. */
export interface EncodePromptOptions {
  /** Receives truncation warnings; without it they go to `process.emitWarning` (diffusers logs them). */
  readonly onWarning?: (warning: PromptWarning) => void;
  /** SDXL base's `force_zeros_for_empty_prompt` (default true): no negative prompt gives zeros, not the encoding of "". */
  readonly forceZerosForEmptyPrompt?: boolean;
}

const path = z.string().min(1);
const modelsSchema = z.object({ tokenizer: path, tokenizer2: path, textEncoder: path, textEncoder2: path });
const textSchema = z.object({
  prompt: z.string(),
  prompt2: z.string().optional(),
  negativePrompt: z.string().optional(),
  negativePrompt2: z.string().optional(),
});

interface EncodedSide {
  readonly embeds: Tensor;
  readonly pooled: Tensor;
}

function emit(warning: PromptWarning, options: EncodePromptOptions): void {
  if (options.onWarning) options.onWarning(warning);
  else process.emitWarning(warning.message, { code: "INSTANTID_PROMPT_TRUNCATED" });
}

function truncationWarning(field: keyof PromptText, tokens: TokenizedPrompt, room: number): PromptWarning {
  return {
    code: "prompt-truncated",
    field,
    tokenCount: tokens.tokenCount,
    dropped: tokens.dropped,
    message:
      `The ${field} has ${tokens.tokenCount} CLIP tokens but the text encoders take ${room}: its last ${tokens.dropped} ` +
      `tokens were dropped (as diffusers does). Shorten it, or move detail into region prompts.`,
  };
}

/**
 * SDXL's text conditioning as diffusers 0.31's `StableDiffusionXLPipeline.encode_prompt` computes it
 * (clip_skip unset): each prompt goes through tokenizer/ + text_encoder and tokenizer_2 + text_encoder_2;
 * the prompt tokens are both encoders' `hidden_states[-2]` side by side [1, 77, d1 + d2], the pooled
 * embedding is text_encoder_2's `text_embeds` [1, d2]; no negative prompt gives zeros. The sessions
 * stay loaded until {@link release}, so a long-lived runner can keep one and encode many prompts.
 */
export class SdxlTextEncoder {
  private constructor(
    readonly tokenizer: ClipTokenizer,
    readonly tokenizer2: ClipTokenizer,
    private readonly encoder: ClipTextEncoder,
    private readonly encoder2: ClipTextEncoder,
  ) {}

  /** Reads both tokenizers and loads both encoders; every missing or unusable file is named in the error. */
  static async open(models: SdxlTextModels, options: OpenSdxlTextEncoderOptions = {}): Promise<SdxlTextEncoder> {
    const paths = parseOptions(modelsSchema, models, "SDXL text models");
    const [tokenizer, tokenizer2] = await Promise.all([
      ClipTokenizer.fromFolder(paths.tokenizer),
      ClipTokenizer.fromFolder(paths.tokenizer2),
    ]);
    if (tokenizer.maxLength !== tokenizer2.maxLength) {
      throw new InstantIdError(
        ErrorCode.ModelInvalid,
        `${paths.tokenizer} pads to ${tokenizer.maxLength} tokens but ${paths.tokenizer2} to ${tokenizer2.maxLength}; SDXL joins ` +
          `both encoders' tokens, so both tokenizers must take the same length (77).`,
      );
    }
    const encoder = await ClipTextEncoder.open(paths.textEncoder, { what: "text encoder", intraOpThreads: options.intraOpThreads });
    try {
      const encoder2 = await ClipTextEncoder.open(paths.textEncoder2, { what: "text encoder 2", intraOpThreads: options.intraOpThreads });
      if (!encoder2.hasTextEmbeds) {
        await encoder2.release();
        throw new InstantIdError(
          ErrorCode.ModelInvalid,
          `The text encoder 2 ${paths.textEncoder2} has no text_embeds output: SDXL's pooled embedding comes from ` +
            `CLIPTextModelWithProjection. Use text_encoder_2/model.onnx of the SDXL export.`,
          { details: { path: paths.textEncoder2 } },
        );
      }
      return new SdxlTextEncoder(tokenizer, tokenizer2, encoder, encoder2);
    } catch (error) {
      await encoder.release();
      throw error;
    }
  }

  /** The runner's `prompt` object for these prompts. */
  async encode(text: PromptText, options: EncodePromptOptions = {}): Promise<PromptConditioning> {
    const t = parseOptions(textSchema, text, "prompt text");
    const warned = new Set<string>();
    const positive = await this.encodeSide(["prompt", t.prompt], ["prompt2", t.prompt2 ?? t.prompt], options, warned);
    const zeros = t.negativePrompt === undefined && (options.forceZerosForEmptyPrompt ?? true);
    const negative = zeros
      ? { embeds: tensor(positive.embeds.shape), pooled: tensor(positive.pooled.shape) }
      : await this.encodeSide(
          ["negativePrompt", t.negativePrompt ?? ""],
          ["negativePrompt2", t.negativePrompt2 ?? t.negativePrompt ?? ""],
          options,
          warned,
        );
    return { embeds: positive.embeds, pooled: positive.pooled, negativeEmbeds: negative.embeds, negativePooled: negative.pooled };
  }

  private async encodeSide(
    [field, text]: [keyof PromptText, string],
    [field2, text2]: [keyof PromptText, string],
    options: EncodePromptOptions,
    warned: Set<string>,
  ): Promise<EncodedSide> {
    const ids = this.tokenizer.encode(text);
    const ids2 = this.tokenizer2.encode(text2);
    // One warning per truncated text: both tokenizers usually cut the same prompt the same way.
    for (const [name, value, tokens] of [
      [field, text, ids],
      [field2, text2, ids2],
    ] as const) {
      const key = `${value}\u0000${tokens.dropped}`;
      if (tokens.dropped > 0 && !warned.has(key)) {
        warned.add(key);
        emit(truncationWarning(name, tokens, this.tokenizer.maxLength - 2), options);
      }
    }
    const first = await this.encoder.run(ids.ids);
    const second = await this.encoder2.run(ids2.ids);
    return { embeds: concatLastAxis(first.penultimate, second.penultimate), pooled: second.textEmbeds! };
  }

  /** Frees both encoders' sessions. */
  async release(): Promise<void> {
    await Promise.all([this.encoder.release(), this.encoder2.release()]);
  }
}

/** Loads the text models, encodes one set of prompts and frees the sessions: the runner's `prompt` object. */
export async function encodeSdxlPrompt(
  models: SdxlTextModels,
  text: PromptText,
  options: EncodePromptOptions & OpenSdxlTextEncoderOptions = {},
): Promise<PromptConditioning> {
  const encoder = await SdxlTextEncoder.open(models, options);
  try {
    return await encoder.encode(text, options);
  } finally {
    await encoder.release();
  }
}
