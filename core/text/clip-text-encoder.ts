import { access } from "node:fs/promises";
import type * as ort from "onnxruntime-node";
import { ErrorCode, InstantIdError } from "../errors.js";
import { fromOrtTensor, loadSession, ortTensor, type OrtSession } from "../runtime/session.js";
import type { Tensor } from "../tensor/tensor.js";

/** What SDXL takes from one CLIP text encoder run. */
export interface ClipTextOutputs {
  /** `hidden_states[-2]`, the penultimate layer's output [1, tokens, width] (SDXL's choice, clip_skip unset). */
  readonly penultimate: Tensor;
  /** `text_embeds` [1, projection] when the graph has it (CLIPTextModelWithProjection: text_encoder_2). */
  readonly textEmbeds?: Tensor;
}

/** Options of {@link ClipTextEncoder.open}. */
export interface OpenClipTextEncoderOptions {
  /** Named in messages: "text encoder", "text encoder 2". */
  readonly what: string;
  readonly intraOpThreads?: number;
}

const HIDDEN_STATE = /^hidden_states\.(\d+)$/;

function penultimateOutput(session: OrtSession, what: string, path: string): string {
  const layers = session.outputNames
    .map((name) => HIDDEN_STATE.exec(name))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]));
  const last = Math.max(-1, ...layers);
  if (last < 1) {
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      `The ${what} ${path} has no hidden_states.N outputs (it has ${session.outputNames.join(", ")}); SDXL conditions on the ` +
        `penultimate layer, hidden_states[-2]. Export it as optimum-cli does for SDXL (outputs hidden_states.0 … hidden_states.N).`,
      { details: { path, outputs: session.outputNames } },
    );
  }
  return `hidden_states.${last - 1}`;
}

function idsInput(session: OrtSession, what: string, path: string): { name: string; type: "int32" | "int64" } {
  const inputs = session.inputMetadata;
  const input = inputs.find((i) => i.name === "input_ids") ?? (inputs.length === 1 ? inputs[0] : undefined);
  const type = input?.isTensor ? input.type : undefined;
  if (!input || inputs.length !== 1 || (type !== "int32" && type !== "int64")) {
    const found = inputs.map((i) => `${i.name} ${i.isTensor ? i.type : "(not a tensor)"}`).join(", ");
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      `The ${what} ${path} should take one int32 or int64 input_ids tensor but its inputs are ${found || "none"}. Check that the ` +
        `file is a CLIP text encoder exported by optimum-cli.`,
      { details: { path } },
    );
  }
  return { name: input.name, type };
}

/**
 * One of SDXL's CLIP text encoders as optimum exports it (`text_encoder/model.onnx`,
 * `text_encoder_2/model.onnx`): `input_ids` int32 or int64 (read from the graph), outputs
 * `hidden_states.0 … N` and, for the second, `text_embeds`. Only the outputs SDXL uses are fetched.
 */
export class ClipTextEncoder {
  /** Whether the graph has `text_embeds` (the pooled, projected embedding SDXL takes from text_encoder_2). */
  readonly hasTextEmbeds: boolean;
  private readonly fetches: readonly string[];

  private constructor(
    private readonly session: OrtSession,
    readonly path: string,
    readonly what: string,
    private readonly input: { name: string; type: "int32" | "int64" },
    private readonly penultimate: string,
  ) {
    this.hasTextEmbeds = session.outputNames.includes("text_embeds");
    this.fetches = this.hasTextEmbeds ? [penultimate, "text_embeds"] : [penultimate];
  }

  /** Loads the graph and checks its inputs and outputs; errors name the file and say what to export. */
  static async open(path: string, options: OpenClipTextEncoderOptions): Promise<ClipTextEncoder> {
    try {
      await access(path);
    } catch (error) {
      throw new InstantIdError(
        ErrorCode.ModelNotFound,
        `The ${options.what} ${path} does not exist or cannot be read. SDXL's text encoders are text_encoder/model.onnx and ` +
          `text_encoder_2/model.onnx of its ONNX export (\`optimum-cli export onnx --model ` +
          `stabilityai/stable-diffusion-xl-base-1.0 DIR\`); point models.text (CLI: --text-encoders DIR) at that export.`,
        { cause: error, details: { path } },
      );
    }
    const session = await loadSession(path, { what: options.what, intraOpThreads: options.intraOpThreads });
    try {
      return new ClipTextEncoder(
        session,
        path,
        options.what,
        idsInput(session, options.what, path),
        penultimateOutput(session, options.what, path),
      );
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  /** The input_ids element type the graph declares. */
  get idsType(): "int32" | "int64" {
    return this.input.type;
  }

  /** Runs one tokenized prompt (a row of ids). */
  async run(ids: readonly number[]): Promise<ClipTextOutputs> {
    const data = this.input.type === "int32" ? Int32Array.from(ids) : BigInt64Array.from(ids, (id) => BigInt(id));
    const feeds = { [this.input.name]: ortTensor(this.input.type, data, [1, ids.length]) };
    let outputs: Record<string, ort.Tensor>;
    try {
      outputs = (await this.session.run(feeds, [...this.fetches])) as Record<string, ort.Tensor>;
    } catch (error) {
      throw new InstantIdError(
        ErrorCode.ModelInvalid,
        `Running the ${this.what} ${this.path} on input_ids [1, ${ids.length}] failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const penultimate = fromOrtTensor(outputs[this.penultimate], `${this.what} ${this.penultimate}`);
    return this.hasTextEmbeds
      ? { penultimate, textEmbeds: fromOrtTensor(outputs.text_embeds, `${this.what} text_embeds`) }
      : { penultimate };
  }

  /** Frees the session's native memory (SDXL's second encoder holds about 2.8 GB in float32). */
  async release(): Promise<void> {
    await this.session.release();
  }
}
