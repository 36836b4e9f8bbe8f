import { mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { writeTorchSave } from "../checkpoint/torch-save.js";
import { ErrorCode, InstantIdError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { sha256Hex } from "../io/sha256.js";
import { buildSyntheticControlNet } from "./controlnet.js";
import { syntheticImageAdapter, TINY_RESAMPLER, type SyntheticResamplerConfig } from "./image-adapter.js";
import { RANDOM_WEIGHTS_NOTICE } from "./random-notice.js";
import { buildSyntheticUnet } from "./unet.js";
import { TINY_UNET, type SyntheticUnetConfig } from "./unet-config.js";
import { buildSyntheticVaeDecoder } from "./vae-decoder.js";
import { writeSyntheticModel } from "./write-model.js";

/** Paths of a set of synthetic models (all with random weights). */
export interface SyntheticModels {
  readonly dir: string;
  readonly unet: string;
  readonly identityNet: string;
  readonly vaeDecoder: string;
  readonly imageAdapter: string;
  /** `synthetic.json`: the notice, the configs and the file names. */
  readonly manifest: string;
  readonly config: SyntheticUnetConfig;
  /** True when the files were already there (same configs) and nothing was built. */
  readonly cached: boolean;
}

/** Options of {@link buildSyntheticModels}. */
export interface BuildSyntheticModelsOptions {
  readonly unet?: SyntheticUnetConfig;
  readonly resampler?: SyntheticResamplerConfig;
  /** Weights in `<model>.data` side files: true, false, or (default) only for models over 1 GiB. */
  readonly externalData?: boolean;
}

// Bump when the graphs the builders write change, so older cached sets are rebuilt.
const BUILDER_VERSION = 3;
const FILES = {
  unet: "unet.onnx",
  identityNet: "identitynet.onnx",
  vaeDecoder: "vae_decoder.onnx",
  imageAdapter: "ip-adapter.bin",
  manifest: "synthetic.json",
} as const;

/**
 * Builds a UNet, a matching IdentityNet, a VAE decoder and a matching Image Adapter checkpoint — all with
 * seeded random weights, labelled so in their metadata and in `synthetic.json` — into
 * `<parent>/synthetic-<hash>/`, where the hash covers the configs; an existing complete set is reused.
 *
 * @example
 * const models = await buildSyntheticModels(".cache/instantid");
 * await patchImageAdapter(models.unet, await loadImageAdapter(models.imageAdapter));
 */
export async function buildSyntheticModels(parent: string, options: BuildSyntheticModelsOptions = {}): Promise<SyntheticModels> {
  const config = options.unet ?? TINY_UNET;
  const resampler = options.resampler ?? TINY_RESAMPLER;
  const hash = sha256Hex(JSON.stringify({ BUILDER_VERSION, config, resampler, externalData: options.externalData })).slice(0, 12);
  const dir = resolve(parent, `synthetic-${hash}`);
  const paths = Object.fromEntries(Object.entries(FILES).map(([key, file]) => [key, join(dir, file)])) as Record<
    keyof typeof FILES,
    string
  >;
  if (await isComplete(paths.manifest, hash)) return { dir, ...paths, config, cached: true };
  try {
    await mkdir(dir, { recursive: true });
    const external = options.externalData;
    await writeSyntheticModel(paths.unet, buildSyntheticUnet(config), { external });
    await writeSyntheticModel(paths.identityNet, buildSyntheticControlNet(config), { external });
    await writeSyntheticModel(paths.vaeDecoder, buildSyntheticVaeDecoder(config), { external });
    await writeTorchSave(paths.imageAdapter, syntheticImageAdapter(config, resampler));
  } catch (error) {
    if (error instanceof InstantIdError) throw error;
    throw new InstantIdError(
      ErrorCode.Internal,
      `Could not write the synthetic models into ${dir}: ${(error as Error).message}. Check that the folder is writable, or ` +
        `choose another with --cache.`,
      {
        cause: error,
        details: { dir },
      },
    );
  }
  // The manifest is written last: its presence marks a complete set.
  const manifest = { notice: RANDOM_WEIGHTS_NOTICE, hash, builderVersion: BUILDER_VERSION, files: FILES, unet: config, resampler };
  await writeFileAtomic(paths.manifest, JSON.stringify(manifest, null, 2));
  return { dir, ...paths, config, cached: false };
}

async function isComplete(manifestPath: string, hash: string): Promise<boolean> {
  try {
    return JSON.parse(await readFile(manifestPath, "utf8")).hash === hash;
  } catch {
    return false;
  }
}
