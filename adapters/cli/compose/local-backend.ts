import { loadImageAdapter, patchImageAdapter, Resampler, savePng, type Composition } from "../../../core/index.js";
import { compositionPatchOptions, compositionTokens, invalidOption } from "../../../core/internal.js";
import type { GenerateOptions, HookModuleSpec } from "../../onnx-sdxl/index.js";
import type { CliIo } from "../command.js";
import { readEmbeddings } from "../commands/generate.js";
import { runGeneration } from "../run-generation.js";
import type { ComposeArgs } from "./args.js";
import type { ComposeBackend } from "./backend.js";
import { readRegionPrompts, regionEmbedsOption } from "./region-embeds.js";
import { serverOptions } from "./server-options.js";

function requiredFile(values: Record<string, unknown>, name: string, example: string): string {
  const value = values[name];
  if (typeof value !== "string" || !value)
    throw invalidOption(`--${name}`, `a file for the local backend, e.g. --${name} ${example}`, value);
  return value;
}

const numberOf = (values: Record<string, unknown>, name: string): number | undefined =>
  values[name] === undefined ? undefined : Number(values[name]);

/** The prompt and region embeddings, read (and checked) before any model is touched. */
async function promptOptions(
  composition: Composition,
  values: Record<string, unknown>,
  io: CliIo,
): Promise<Pick<GenerateOptions, "prompt" | "timeIds" | "regions">> {
  const embeddings = await readEmbeddings(requiredFile(values, "embeds", "prompt.safetensors"));
  const regions = await readRegionPrompts(composition, values, embeddings.prompt.embeds, io);
  return { ...embeddings, ...(regions.length ? { regions } : {}) };
}

/** The runner's options for a composition: the patched UNet, the embeddings, the canvas size and the sampling settings. */
function runnerOptions(
  composition: Composition,
  unet: string,
  prompts: Awaited<ReturnType<typeof promptOptions>>,
  values: Record<string, unknown>,
): GenerateOptions {
  return {
    models: { unet, vaeDecoder: values["vae-decoder"] as string | undefined },
    ...prompts,
    width: composition.width,
    height: composition.height,
    steps: numberOf(values, "steps"),
    guidance: numberOf(values, "cfg"),
    seed: numberOf(values, "seed"),
    scheduler: values.scheduler as GenerateOptions["scheduler"],
  };
}

/**
 * `instantid compose --backend local`: the UNet patched for the composition (one image-attention input
 * set per identity, with masks; cached), its hooks from `toLocalHooks`, region prompts from
 * `--region-embeds` with `compositionRegionMasks`, and the SDK's SDXL runner.
 */
export const localComposeBackend: ComposeBackend = {
  options: {
    steps: serverOptions.steps,
    cfg: serverOptions.cfg,
    seed: serverOptions.seed,
    unet: { type: "string", value: "FILE", description: "local: SDXL UNet ONNX model (patched for the composition, cached)" },
    identitynet: { type: "string", value: "FILE", description: "local: IdentityNet ONNX model" },
    adapter: { type: "string", value: "FILE", description: "local: InstantID ip-adapter.bin" },
    embeds: {
      type: "string",
      value: "FILE",
      description: "local: prompt embeddings (safetensors prompt_embeds, text_embeds [, time_ids]); the runner has no text encoder",
    },
    "region-embeds": regionEmbedsOption,
    "vae-decoder": { type: "string", value: "FILE", description: "local: VAE decoder ONNX model (without it, a latent preview)" },
    scheduler: {
      type: "string",
      value: "NAME",
      description: "local: euler | euler-ancestral | dpmpp-2m-karras | ddim | lcm (default euler)",
    },
    "patch-dir": { type: "string", value: "DIR", description: "local: where the patched UNet is cached (default beside the UNet)" },
    "resampler-heads": {
      type: "string",
      value: "N",
      description: "local: Resampler heads when the weights do not tell (default 20, SDXL's)",
    },
  },
  async run(composition: Composition, args: ComposeArgs, values: Record<string, unknown>, io: CliIo): Promise<number> {
    if (args.dryRun)
      throw invalidOption("--dry-run", "--backend a1111 or comfyui (the local backend has no request to write)", args.dryRun);
    const models = {
      adapter: requiredFile(values, "adapter", "ip-adapter.bin"),
      unet: requiredFile(values, "unet", "unet.onnx"),
      identityNet: requiredFile(values, "identitynet", "identitynet.onnx"),
    };
    const prompts = await promptOptions(composition, values, io);
    const adapter = await loadImageAdapter(models.adapter);
    const patched = await patchImageAdapter(models.unet, adapter, {
      ...compositionPatchOptions(composition),
      outDir: values["patch-dir"] as string | undefined,
      adapterFile: models.adapter,
    });
    const heads = numberOf(values, "resampler-heads");
    // The tokens are computed here, so the worker gets kilobytes of tokens rather than the 1.7 GB adapter.
    const tokens = await compositionTokens(composition, Resampler.fromWeights(adapter.imageProj, heads ? { heads } : {}));
    const hooks: HookModuleSpec[] = [
      {
        module: "builtin:composition",
        options: { composition, identityNet: models.identityNet, tokens, imageAdapterInputs: patched.inputs },
      },
    ];
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.once("SIGINT", onSignal);
    try {
      const result = await runGeneration(runnerOptions(composition, patched.modelPath!, prompts, values), hooks, io, controller.signal);
      await savePng(args.out!, result.image);
      io.stdout(
        `${args.out} (${result.width}x${result.height}, seed ` +
          `${result.seed}${result.decoded ? "" : ", a latent preview: no --vae-decoder"})\n`,
      );
      return 0;
    } finally {
      process.off("SIGINT", onSignal);
    }
  },
};
