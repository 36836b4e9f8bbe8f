import { computeImageTokens, type ImageTokens } from "../image-adapter/image-tokens.js";
import type { Resampler } from "../image-adapter/resampler.js";
import { ErrorCode, InstantIdError } from "../errors.js";
import { composeHooks, type HookRegistry } from "../hooks/compose.js";
import { createImageAdapterHook } from "../instantid/image-adapter-hook.js";
import type { GenerationHook } from "../hooks/types.js";
import type { ControlNetHook } from "../controlnet/control-hook.js";
import type { ControlNetModel } from "../controlnet/controlnet-model.js";
import { createIdentityNetHook } from "../instantid/identitynet-hook.js";
import type { UnetResidualInputs } from "../unet/residual-inputs.js";
import type { RegionMask } from "../masks/face-mask.js";
import type { ImageAdapterInputs } from "../patch/patch-graph.js";
import type { Composition } from "./types.js";

/** What {@link toLocalHooks} needs besides the composition: the loaded models. */
export interface LocalHookModels {
  /** IdentityNet, from `loadControlNet`. */
  readonly identityNet: ControlNetModel;
  /** The Image Adapter's Resampler (`Resampler.fromWeights(adapter.imageProj)`), to compute each identity's tokens... */
  readonly resampler?: Resampler;
  /** ...or the tokens already computed (`compositionTokens`), e.g. in the main thread before a worker builds the hooks. */
  readonly tokens?: readonly ImageTokens[];
  /** The UNet's residual inputs, to check the IdentityNet against before the first step. */
  readonly unet?: UnetResidualInputs;
  /** The patched UNet's input names, `patchImageAdapter(...).inputs`; default the patch's convention. */
  readonly imageAdapterInputs?: ImageAdapterInputs;
  /** Where the patched UNet takes the tokens; default "inputs". */
  readonly tokensIn?: "inputs" | "context";
}

/** The hooks of a composition, composed, and each part for inspection (traffic, tokens). */
export interface LocalHooks {
  /** IdentityNet and the Image Adapter, composed: give this to the runner. */
  readonly hooks: HookRegistry;
  readonly identityNet: ControlNetHook;
  readonly imageAdapter: GenerationHook;
  /** Each identity's image tokens: Resampler(embedding) and Resampler(zeros). */
  readonly tokens: readonly ImageTokens[];
}

/** Each identity's image tokens: Resampler(its embeddings, combined by its mode) and Resampler(zeros). */
export async function compositionTokens(composition: Composition, resampler: Resampler): Promise<ImageTokens[]> {
  const tokens: ImageTokens[] = [];
  for (const c of composition.identities)
    tokens.push(await computeImageTokens(resampler, c.identity.embeddings, { combine: c.identity.combine }));
  return tokens;
}

/**
 * How to patch the UNet for a composition: one set of image-attention inputs per identity, with
 * masks unless a single identity covers the whole canvas. Pass to `patchImageAdapter`.
 */
export function compositionPatchOptions(composition: Composition): { identities: number; masks: boolean } {
  return { identities: composition.identities.length, masks: needsMasks(composition) };
}

/**
 * The local runner's hooks for a composition, with the semantics pinned in docs/multi-identity.md:
 * per identity, IdentityNet on its tokens and keypoint image, residuals × its scale × its mask
 * (bilinear to each residual) inside its window, summed; its image-attention term × its scale × its
 * mask (nearest, in the patched graph) on every step, summed; Resampler(zeros) tokens in the
 * unconditional rows for every identity.
 * @example
 * const { hooks } = await toLocalHooks(composition, { identityNet, resampler, unet: unet.residualInputs, imageAdapterInputs: patched.inputs
 * });
 */
export async function toLocalHooks(composition: Composition, models: LocalHookModels): Promise<LocalHooks> {
  const tokens = models.tokens ?? (models.resampler && (await compositionTokens(composition, models.resampler)));
  if (!tokens || tokens.length !== composition.identities.length) {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `toLocalHooks needs the Resampler or one set of image tokens per identity (${composition.identities.length}) but received ` +
        `${tokens ? `${tokens.length} sets` : "neither"}`,
    );
  }
  const masked = needsMasks(composition);
  const maskOf = (mask: RegionMask) => (masked ? mask : undefined);
  const identityNet = createIdentityNetHook({
    model: models.identityNet,
    unet: models.unet,
    identities: composition.identities.map((c, i) => ({
      faceTokens: tokens[i].cond,
      uncondFaceTokens: tokens[i].uncond,
      keypointImage: c.keypointImage,
      identityNetScale: c.identityNetScale,
      mask: maskOf(c.mask),
      start: c.start,
      end: c.end,
    })),
  });
  const imageAdapter = createImageAdapterHook({
    identities: composition.identities.map((c, i) => ({
      faceTokens: tokens[i].cond,
      uncondFaceTokens: tokens[i].uncond,
      adapterScale: c.adapterScale,
      mask: maskOf(c.mask),
    })),
    tokensIn: models.tokensIn,
    inputNames: models.imageAdapterInputs,
  });
  return { hooks: composeHooks(identityNet, imageAdapter), identityNet, imageAdapter, tokens };
}

// A lone identity over the whole canvas needs no mask: ones resized are ones, so the result is the same.
function needsMasks(composition: Composition): boolean {
  const [only] = composition.identities;
  return composition.identities.length > 1 || !only.mask.data.every((v) => v === 1);
}
