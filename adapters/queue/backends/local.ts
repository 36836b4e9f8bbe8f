import {
  encodePng,
  ErrorCode,
  InstantIdError,
  loadImageAdapter,
  patchImageAdapter,
  Resampler,
  type Composition,
  type ImageAdapterWeights,
  type PatchedUnet,
} from "../../../core/index.js";
import { compositionPatchOptions, compositionRegionMasks, compositionTokens } from "../../../core/internal.js";
import { parseEmbeddings } from "../../cli/commands/generate.js";
import type { GenerateOptions, HookModuleSpec } from "../../onnx-sdxl/index.js";
import { jobBytes, jobComposition } from "../job-composition.js";
import type { GenerationJob } from "../job.js";
import type { GenerationBackend } from "./backend.js";
import { createLocalRunner, type LocalRunner } from "./local-runner.js";

/** The model files of this machine (jobs never name files: each machine has its own). */
export interface LocalBackendOptions {
  readonly unet: string;
  readonly identityNet: string;
  /** InstantID's ip-adapter.bin. */
  readonly adapter: string;
  /** Without a decoder the image is a latent preview (tiny test models). */
  readonly vaeDecoder?: string;
  /** Where patched UNets are cached (default beside the UNet). */
  readonly patchDir?: string;
  /** Resampler heads when the weights do not tell (default SDXL's 20). */
  readonly resamplerHeads?: number;
  /** The reference runner to use; default {@link createLocalRunner}. */
  readonly runner?: LocalRunner;
}

function refused(message: string): InstantIdError {
  return new InstantIdError(ErrorCode.InvalidInput, message, { details: { retryable: false } });
}

/** The runner's prompt options: the job's embeddings and its region prompts with their masks. */
function promptOptions(job: GenerationJob, composition: Composition): Pick<GenerateOptions, "prompt" | "timeIds" | "regions"> {
  if (!job.promptEmbeddings) {
    throw refused(
      "The local backend has no text encoder: give the job promptEmbeddings (the safetensors file `instantid generate --embeds` " +
        "reads), or send it to a1111 / comfyui workers.",
    );
  }
  const shared = parseEmbeddings(jobBytes(job.promptEmbeddings), "the job's promptEmbeddings");
  const withEmbeds = job.identities.flatMap((person, i) => (person.regionEmbeddings ? [i] : []));
  const regions = compositionRegionMasks(composition, withEmbeds).map(({ identity, mask }) => {
    const embeds = parseEmbeddings(jobBytes(job.identities[identity].regionEmbeddings!), `identity ${identity + 1}'s regionEmbeddings`)
      .prompt.embeds;
    if (embeds.shape.join() !== shared.prompt.embeds.shape.join()) {
      throw refused(
        `identity ${identity + 1}'s regionEmbeddings are [${embeds.shape.join(", ")}] but promptEmbeddings are ` +
          `[${shared.prompt.embeds.shape.join(", ")}]; encode both with the same text encoders.`,
      );
    }
    return { embeds, mask };
  });
  return { ...shared, ...(regions.length ? { regions } : {}) };
}

/**
 * Jobs on the SDK's reference runner, as `instantid compose --backend local` runs them. What does not
 * change between jobs stays loaded: the adapter weights, its Resampler, and each patched UNet (one per
 * identity count and masking).
 */
export function localBackend(options: LocalBackendOptions): GenerationBackend {
  const runner = options.runner ?? createLocalRunner();
  let adapter: Promise<ImageAdapterWeights> | undefined;
  let resampler: Resampler | undefined;
  const patched = new Map<string, Promise<PatchedUnet>>();
  // A failed load is not kept: the next job tries again (a file may have been missing for a moment).
  const loadAdapter = (): Promise<ImageAdapterWeights> =>
    (adapter ??= loadImageAdapter(options.adapter).catch((error: unknown) => {
      adapter = undefined;
      throw error;
    }));
  const patchFor = async (composition: Composition): Promise<PatchedUnet> => {
    const patch = compositionPatchOptions(composition);
    const key = JSON.stringify(patch);
    if (!patched.has(key)) {
      const patching = loadAdapter().then((weights) => patchImageAdapter(options.unet, weights, { ...patch, outDir: options.patchDir }));
      patched.set(
        key,
        patching.catch((error: unknown) => {
          patched.delete(key);
          throw error;
        }),
      );
    }
    return patched.get(key)!;
  };
  return {
    name: "local",
    async run(job, controls) {
      const composition = await jobComposition(job);
      const prompts = promptOptions(job, composition);
      const weights = await loadAdapter();
      resampler ??= Resampler.fromWeights(weights.imageProj, options.resamplerHeads ? { heads: options.resamplerHeads } : {});
      const unet = await patchFor(composition);
      const hooks: HookModuleSpec[] = [
        {
          module: "builtin:composition",
          options: {
            composition,
            identityNet: options.identityNet,
            tokens: await compositionTokens(composition, resampler),
            imageAdapterInputs: unet.inputs,
          },
        },
      ];
      const { steps, cfg, seed, scheduler } = job.settings;
      const result = await runner.run(
        {
          models: { unet: unet.modelPath!, vaeDecoder: options.vaeDecoder },
          ...prompts,
          width: job.width,
          height: job.height,
          steps,
          guidance: cfg,
          seed,
          scheduler,
        },
        hooks,
        controls,
      );
      const report = {
        backend: "local",
        prompt: job.prompt,
        width: result.width,
        height: result.height,
        seed: result.seed,
        steps,
        cfg,
        scheduler: scheduler ?? "euler",
        identities: composition.identities.length,
        decoded: result.decoded,
        timings: result.timings,
      };
      return { images: [await encodePng(result.image)], report };
    },
    close: async () => runner.close?.(),
  };
}
