import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import {
  ErrorCode,
  InstantIdError,
  readSafetensors,
  savePng,
  sdxlTextModels,
  tensor,
  writeSafetensors,
  type Tensor,
} from "../../../core/index.js";
import type { GenerateOptions, PromptEmbeds } from "../../onnx-sdxl/options.js";
import { REFERENCE_DEFAULTS } from "../../onnx-sdxl/defaults.js";
import { defineCommand, type CliArgs } from "../command.js";
import { prepareInstantId } from "../instantid-inputs.js";
import { runGeneration } from "../run-generation.js";
import { parseStrength, strengthOptions } from "../strength-options.js";

function rowOf(t: Tensor, index: number): Tensor {
  const size = t.data.length / t.shape[0];
  return tensor([1, ...t.shape.slice(1)], t.data.slice(index * size, (index + 1) * size));
}

/** Reads prompt_embeds / text_embeds (one row, or rows [negative, positive]) and optional time_ids. */
export async function readEmbeddings(path: string): Promise<{ prompt: PromptEmbeds } & Pick<GenerateOptions, "timeIds">> {
  return parseEmbeddings(await readFile(path), path);
}

/** {@link readEmbeddings} of bytes already read (e.g. from a queue job); `path` names them in messages. */
export function parseEmbeddings(bytes: Uint8Array, path: string): { prompt: PromptEmbeds } & Pick<GenerateOptions, "timeIds"> {
  const { tensors } = readSafetensors(bytes, path);
  const embeds = tensors.get("prompt_embeds");
  const pooled = tensors.get("text_embeds");
  if (!embeds || !pooled) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `${path} needs tensors prompt_embeds [1|2, 77k, ctx] and text_embeds [1|2, d] (rows [negative, positive] when 2).`,
    );
  }
  const last = embeds.shape[0] - 1;
  const timeIds = tensors.get("time_ids");
  return {
    prompt: {
      embeds: rowOf(embeds, last),
      pooled: rowOf(pooled, pooled.shape[0] - 1),
      ...(last > 0 ? { negativeEmbeds: rowOf(embeds, 0), negativePooled: rowOf(pooled, 0) } : {}),
    },
    ...(timeIds ? { timeIds: rowOf(timeIds, timeIds.shape[0] - 1) } : {}),
  };
}

const number = (value: unknown): number | undefined => (value === undefined ? undefined : Number(value));

/**
 * The prompt: --embeds (precomputed), or --prompt text with the export's text models, from --text-encoders
 * or else the folder above the UNet's (optimum's layout: DIR/unet/model.onnx beside DIR/text_encoder/…).
 */
async function promptOptions(
  values: CliArgs["values"],
): Promise<Pick<GenerateOptions, "prompt" | "prompt2" | "negativePrompt" | "timeIds"> & { text?: GenerateOptions["models"]["text"] }> {
  const text = values.prompt as string | undefined;
  if (text === undefined) {
    if (values["negative-prompt"] !== undefined || values["prompt-2"] !== undefined) {
      throw new InstantIdError(
        ErrorCode.InvalidOption,
        "--negative-prompt and --prompt-2 go with --prompt; with --embeds the negative is the file's first row",
      );
    }
    return readEmbeddings(values.embeds as string);
  }
  const exportDir = (values["text-encoders"] as string | undefined) ?? dirname(dirname(values.unet as string));
  return {
    prompt: text,
    prompt2: values["prompt-2"] as string | undefined,
    negativePrompt: values["negative-prompt"] as string | undefined,
    text: sdxlTextModels(exportDir),
  };
}

const INSTANTID_FILES = ["adapter", "identitynet", "identity", "kps"] as const;

/** The UNet to run and, when the InstantID files are given, the patched UNet and the InstantID options. */
async function modelAndInstantId(values: CliArgs["values"]): Promise<Pick<GenerateOptions, "models" | "instantId">> {
  const given = INSTANTID_FILES.filter((name) => values[name]);
  const vaeDecoder = values["vae-decoder"] as string | undefined;
  if (given.length === 0) return { models: { unet: values.unet as string, vaeDecoder } };
  if (given.length < INSTANTID_FILES.length) {
    const missing = INSTANTID_FILES.filter((name) => !values[name]).map((name) => `--${name}`);
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `InstantID needs --adapter, --identitynet, --identity and --kps together; missing ${missing.join(", ")}.`,
    );
  }
  const { unet, instantId } = await prepareInstantId({
    unet: values.unet as string,
    adapter: values.adapter as string,
    identityNet: values.identitynet as string,
    identity: values.identity as string,
    kps: values.kps as string,
    identityNetScale: parseStrength(values, "identityNetScale"),
    adapterScale: parseStrength(values, "adapterScale"),
    patchDir: values["patch-dir"] as string | undefined,
    resamplerHeads: number(values["resampler-heads"]),
  });
  return { models: { unet, vaeDecoder }, instantId };
}

/** `instantid generate`: the reference runner from the command line, with a progress bar. */
export const generateCommand = defineCommand({
  path: ["generate"],
  opensSessions: true,
  summary:
    "Run the reference SDXL runner (txt2img) from a text prompt (with the export's text encoders) or precomputed embeddings and " +
    "write the image;\nwith --adapter, --identitynet, --identity and --kps, with InstantID (output size from the keypoint " +
    "image).\nWithout a VAE decoder the image is a latent preview (for tiny test models).",
  options: {
    unet: { type: "string", value: "FILE", description: "UNet ONNX model (required)" },
    prompt: {
      type: "string",
      short: "p",
      value: "TEXT",
      description: "Prompt, encoded by the SDXL export's CLIP tokenizers and text encoders (or --embeds)",
    },
    "negative-prompt": {
      type: "string",
      short: "n",
      value: "TEXT",
      description: "Negative prompt (default none: zero embeddings, as SDXL)",
    },
    "prompt-2": { type: "string", value: "TEXT", description: "Prompt for text_encoder_2 (default: --prompt)" },
    "text-encoders": {
      type: "string",
      value: "DIR",
      description: "SDXL ONNX export with tokenizer/, tokenizer_2/, text_encoder/, text_encoder_2/ (default: the folder above the UNet's)",
    },
    embeds: {
      type: "string",
      value: "FILE",
      description: "safetensors with prompt_embeds, text_embeds [, time_ids] (instead of --prompt)",
    },
    "vae-decoder": { type: "string", value: "FILE", description: "VAE decoder ONNX model" },
    out: { type: "string", short: "o", value: "PNG", description: "Image to write (required)" },
    latent: { type: "string", value: "FILE", description: "Also write the final latent as safetensors" },
    steps: { type: "string", value: "N", description: `Denoising steps (default ${REFERENCE_DEFAULTS.steps})` },
    guidance: { type: "string", value: "G", description: `Classifier-free guidance (default ${REFERENCE_DEFAULTS.guidance})` },
    scheduler: { type: "string", value: "NAME", description: "euler | euler-ancestral | dpmpp-2m-karras | ddim | lcm (default euler)" },
    seed: { type: "string", value: "N", description: "PRNG seed (default random, printed)" },
    width: { type: "string", value: "PX", description: "Output width, multiple of 8 (default 1024)" },
    height: { type: "string", value: "PX", description: "Output height, multiple of 8 (default 1024)" },
    adapter: { type: "string", value: "FILE", description: "InstantID ip-adapter.bin (patches the UNet, cached)" },
    identitynet: { type: "string", value: "FILE", description: "InstantID IdentityNet ONNX model" },
    identity: { type: "string", value: "FILE", description: "Identity file (instantid identity create)" },
    kps: { type: "string", value: "PNG", description: "Keypoint image (instantid kps)" },
    ...strengthOptions(),
    "patch-dir": { type: "string", value: "DIR", description: "Where the patched UNet is cached (default beside the UNet)" },
    "resampler-heads": { type: "string", value: "N", description: "Resampler heads when the weights do not tell (default 20, SDXL's)" },
  },
  examples: [
    'instantid generate --unet sdxl/unet/model.onnx --vae-decoder sdxl/vae_decoder/model.onnx --prompt "a watercolor portrait" ' +
      '--negative-prompt "blurry" --out out.png',
    "instantid generate --unet unet.onnx --embeds prompt.safetensors --vae-decoder vae_decoder.onnx --out out.png --seed 42",
    "instantid generate --unet unet.onnx --embeds prompt.safetensors --vae-decoder vae_decoder.onnx --adapter ip-adapter.bin " +
      "--identitynet identitynet.onnx --identity me.identity --kps kps.png --out me.png",
  ],
  async run({ values }, io) {
    const missing = (option: string) =>
      new InstantIdError(ErrorCode.InvalidOption, `Expected a value for --${option} but received nothing; see instantid generate --help`);
    if (!values.unet) throw missing("unet");
    if ((values.prompt === undefined) === (values.embeds === undefined)) {
      throw new InstantIdError(
        ErrorCode.InvalidOption,
        "Expected exactly one of --prompt TEXT and --embeds FILE; see instantid generate --help",
      );
    }
    if (!values.out) throw missing("out");
    const { text, ...prompt } = await promptOptions(values);
    const { models, instantId } = await modelAndInstantId(values);
    const options: GenerateOptions = {
      models: { ...models, ...(text ? { text } : {}) },
      ...(instantId ? { instantId } : {}),
      ...prompt,
      steps: number(values.steps),
      guidance: number(values.guidance),
      scheduler: values.scheduler as GenerateOptions["scheduler"],
      seed: number(values.seed),
      width: number(values.width),
      height: number(values.height),
    };
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.once("SIGINT", onSignal);
    try {
      const result = await runGeneration(options, [], io, controller.signal);
      await savePng(values.out as string, result.image);
      if (values.latent) await writeSafetensors(values.latent as string, { latent: result.latent });
      const kind = result.decoded ? "image" : "latent preview (no VAE decoder given)";
      io.stdout(
        `Wrote ${kind} ${values.out} (${result.width}x${result.height}, seed ${result.seed}, denoising ` +
          `${Math.round(result.timings.denoiseMs)} ms)\n`,
      );
      return 0;
    } finally {
      process.off("SIGINT", onSignal);
    }
  },
});
