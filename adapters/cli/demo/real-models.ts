import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { ErrorCode, InstantIdError } from "../../../core/index.js";
/** Where the demo looks for each real model inside a models folder (the layout `instantid models pull` makes, plus SDXL). */
export const REAL_MODEL_LAYOUT = {
  faceModels: "antelopev2/models.json",
  imageAdapter: "instantid/ip-adapter.bin",
  identityNet: "instantid/identitynet.onnx",
  unet: "sdxl/unet/model.onnx",
  vaeDecoder: "sdxl/vae_decoder/model.onnx",
} as const;

/** The real models found in a folder, and what the generation part still lacks. */
export interface RealModels {
  readonly dir: string;
  /** The face-models folder (holding models.json). */
  readonly faceModels: string;
  readonly imageAdapter: string;
  /** Present only when every generation model is there. */
  readonly generation?: { readonly unet: string; readonly identityNet: string; readonly vaeDecoder: string };
  /** One line per missing generation model: what it is, where it goes, how to get it. */
  readonly missing: readonly string[];
}

const HOW_TO_GET = {
  identityNet: "InstantX's IdentityNet converted to ONNX: `instantid models pull instantid` downloads and converts it, or `instantid convert identitynet CONTROLNET_DIR -o identitynet.onnx` converts a downloaded ControlNetModel folder",
  unet: "an SDXL UNet exported to ONNX with ControlNet residual inputs (e.g. an OnnxStack SDXL ControlNet export, or optimum's with residuals)",
  vaeDecoder: "the SDXL VAE decoder exported to ONNX (optimum-cli export onnx --model stabilityai/stable-diffusion-xl-base-1.0)",
} as const;

/**
 * Checks a real models folder. The face models and the Image Adapter are required (a clear error says how
 * to pull them); the SDXL UNet, VAE decoder and IdentityNet ONNX files are optional, and each one missing
 * is listed with where it goes and how to make it.
 */
export function inspectRealModels(folder: string): RealModels {
  const dir = resolve(folder);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InstantIdError(ErrorCode.ModelNotFound, `The models folder ${dir} does not exist. Run \`instantid models pull all --dir ${folder}\` to download the models, or point --models (or INSTANTID_MODELS) at the folder that command filled.`, { details: { dir } });
  }
  const path = (key: keyof typeof REAL_MODEL_LAYOUT) => join(dir, REAL_MODEL_LAYOUT[key]);
  for (const [key, pack] of [["faceModels", "antelopev2"], ["imageAdapter", "instantid"]] as const) {
    if (!existsSync(path(key))) {
      throw new InstantIdError(ErrorCode.ModelNotFound, `${path(key)} is missing, so ${folder} is not a complete models folder. Run \`instantid models pull ${pack} --dir ${folder}\` (then \`instantid models check ${folder}\`).`, {
        details: { dir, missing: REAL_MODEL_LAYOUT[key] },
      });
    }
  }
  const missing = (["unet", "vaeDecoder", "identityNet"] as const)
    .filter((key) => !existsSync(path(key)))
    .map((key) => `${REAL_MODEL_LAYOUT[key]}: ${HOW_TO_GET[key]}; put it at ${path(key)}`);
  const generation = missing.length === 0 ? { unet: path("unet"), identityNet: path("identityNet"), vaeDecoder: path("vaeDecoder") } : undefined;
  return { dir, faceModels: join(dir, "antelopev2"), imageAdapter: path("imageAdapter"), ...(generation ? { generation } : {}), missing };
}
