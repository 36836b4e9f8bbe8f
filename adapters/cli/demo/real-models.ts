import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ErrorCode, InstantIdError } from "../../../core/index.js";
/**
 * Where the demo looks for each real model inside a models folder: the layout `instantid models pull`
 * makes (InstantX's repository as published, in `instantid/`), plus optimum's SDXL export in `sdxl/`.
 */
export const REAL_MODEL_LAYOUT = {
  faceModels: "antelopev2/models.json",
  imageAdapter: "instantid/ip-adapter.bin",
  identityNet: "instantid/identitynet.onnx",
  unet: "sdxl/unet/model.onnx",
  vaeDecoder: "sdxl/vae_decoder/model.onnx",
} as const;

/** InstantX's IdentityNet as published (diffusers weights), converted to {@link REAL_MODEL_LAYOUT}.identityNet on first use. */
export const PUBLISHED_IDENTITYNET = { from: "ControlNetModel", to: "identitynet.onnx" } as const;

/** The real models found in a folder, and what the generation part still lacks. */
export interface RealModels {
  readonly dir: string;
  /** The face-models folder (holding models.json). */
  readonly faceModels: string;
  readonly imageAdapter: string;
  /**
   * Present only when every generation model is there. `identityNetSource` is InstantX's `ControlNetModel/`
   * when `identityNet` is still to be converted from it; `unet` is the export as published (patched on first use).
   */
  readonly generation?: {
    readonly unet: string;
    readonly identityNet: string;
    readonly vaeDecoder: string;
    readonly identityNetSource?: string;
  };
  /** One line per missing generation model: what it is, where it goes, how to get it. */
  readonly missing: readonly string[];
}

const OPTIMUM_SDXL = "optimum's ONNX export of SDXL (`optimum-cli export onnx --model stabilityai/stable-diffusion-xl-base-1.0 DIR/sdxl`)";
const HOW_TO_GET = {
  identityNet:
    "InstantX's IdentityNet, instantid/ControlNetModel/ (config.json + diffusion_pytorch_model.safetensors, from `instantid " +
    "models pull instantid`), converted to ONNX on first use",
  unet: `the unet/ folder of ${OPTIMUM_SDXL}; residual inputs and the image attention are patched in on first use`,
  vaeDecoder: `the vae_decoder/ folder of ${OPTIMUM_SDXL}`,
} as const;

/**
 * Checks a real models folder. The face models and the Image Adapter are required (a clear error says how
 * to pull them); the SDXL UNet and VAE decoder (optimum's export) and IdentityNet (InstantX's
 * ControlNetModel/, or its ONNX conversion) are optional, and each one missing is listed with where it
 * goes and where it comes from.
 */
export function inspectRealModels(folder: string): RealModels {
  const dir = resolve(folder);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InstantIdError(
      ErrorCode.ModelNotFound,
      `The models folder ${dir} does not exist. Run \`instantid models pull all --dir ${folder}\` to download the models, or ` +
        `point --models (or INSTANTID_MODELS) at the folder that command filled.`,
      { details: { dir } },
    );
  }
  const path = (key: keyof typeof REAL_MODEL_LAYOUT) => join(dir, REAL_MODEL_LAYOUT[key]);
  for (const [key, pack] of [
    ["faceModels", "antelopev2"],
    ["imageAdapter", "instantid"],
  ] as const) {
    if (!existsSync(path(key))) {
      throw new InstantIdError(
        ErrorCode.ModelNotFound,
        `${path(key)} is missing, so ${folder} is not a complete models folder. Run \`instantid models pull ${pack} --dir ` +
          `${folder}\` (then \`instantid models check ${folder}\`).`,
        {
          details: { dir, missing: REAL_MODEL_LAYOUT[key] },
        },
      );
    }
  }
  const identityNetSource = join(dirname(path("identityNet")), PUBLISHED_IDENTITYNET.from);
  const convertible = !existsSync(path("identityNet")) && existsSync(join(identityNetSource, "config.json"));
  const missing = (["unet", "vaeDecoder", "identityNet"] as const)
    .filter((key) => !existsSync(path(key)) && !(key === "identityNet" && convertible))
    .map((key) => `${REAL_MODEL_LAYOUT[key]}: ${HOW_TO_GET[key]}; put it at ${key === "identityNet" ? identityNetSource : path(key)}`);
  const generation =
    missing.length === 0
      ? {
          unet: path("unet"),
          identityNet: path("identityNet"),
          vaeDecoder: path("vaeDecoder"),
          ...(convertible ? { identityNetSource } : {}),
        }
      : undefined;
  return { dir, faceModels: join(dir, "antelopev2"), imageAdapter: path("imageAdapter"), ...(generation ? { generation } : {}), missing };
}
