import {
  ErrorCode,
  InstantIdError,
  Resampler,
  computeImageTokens,
  loadIdentity,
  loadImage,
  loadImageAdapter,
  patchImageAdapter,
} from "../../core/index.js";
import type { InstantIdHookOptions } from "../onnx-sdxl/instantid-hook.js";

/** What `instantid generate` needs for InstantID, as given on the command line. */
export interface InstantIdFiles {
  readonly unet: string;
  readonly adapter: string;
  readonly identityNet: string;
  readonly identity: string;
  readonly kps: string;
  readonly identityNetScale?: number;
  readonly adapterScale?: number;
  /** Where the patched UNet is cached (default: beside the UNet). */
  readonly patchDir?: string;
  /** Resampler attention heads when the weights do not say (SDXL's 20 by default). */
  readonly resamplerHeads?: number;
}

/**
 * Turns files into the runner's InstantID inputs: the UNet patched with the Image Adapter (cached),
 * the identity's image tokens through the Resampler, and the keypoint image.
 */
export async function prepareInstantId(files: InstantIdFiles): Promise<{ unet: string; instantId: InstantIdHookOptions }> {
  const weights = await loadImageAdapter(files.adapter);
  const patched = await patchImageAdapter(files.unet, weights, { outDir: files.patchDir, adapterFile: files.adapter });
  if (!patched.modelPath)
    throw new InstantIdError(ErrorCode.Internal, "patchImageAdapter returned no model path for a UNet given as a path.");
  const identity = await loadIdentity(files.identity);
  const resampler = Resampler.fromWeights(weights.imageProj, files.resamplerHeads ? { heads: files.resamplerHeads } : {});
  const tokens = await computeImageTokens(resampler, identity.embeddings, { combine: identity.combine });
  return {
    unet: patched.modelPath,
    instantId: {
      identityNet: files.identityNet,
      adapterInputs: patched.inputs,
      faces: [
        {
          faceTokens: tokens.cond,
          uncondFaceTokens: tokens.uncond,
          keypointImage: await loadImage(files.kps),
          identityNetScale: files.identityNetScale,
          adapterScale: files.adapterScale,
        },
      ],
    },
  };
}
