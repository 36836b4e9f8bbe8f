import {
  composeHooks,
  createIdentityNetHook,
  createImageAdapterHook,
  loadControlNet,
  type ControlImage,
  type HookRegistry,
  type MaskInput,
  type Tensor,
} from "../../core/index.js";
import { controlNetFromSession, type ImageAdapterInputs, type SessionContext } from "../../core/internal.js";

/** One face: its image tokens, keypoint image, scales and optional region. Plain data (worker-safe). */
export interface InstantIdFace {
  /** Resampler(face embedding) and Resampler(zeros), [1, 16, ctx]. */
  readonly faceTokens: Tensor;
  readonly uncondFaceTokens: Tensor;
  /** The keypoint image (draw_kps), 8× the latent size. */
  readonly keypointImage: ControlImage;
  /** IdentityNet scale; default `DEFAULT_IDENTITYNET_SCALE` (0.8). */
  readonly identityNetScale?: number;
  /** Image-attention scale; default `DEFAULT_ADAPTER_SCALE` (0.8). */
  readonly adapterScale?: number;
  readonly mask?: MaskInput;
}

/** Options of {@link createInstantIdHook}: paths and tensors only, so they can cross to the runner's worker. */
export interface InstantIdHookOptions {
  /** The IdentityNet ONNX file. */
  readonly identityNet: string;
  readonly faces: readonly InstantIdFace[];
  /** IdentityNet's control_guidance_start/end; default 0 and 1. */
  readonly start?: number;
  readonly end?: number;
  /** The patched UNet's image-attention inputs (`patchImageAdapter(...).inputs`), when not the default names. */
  readonly adapterInputs?: ImageAdapterInputs;
}

/** The composed InstantID hook, with `release()` to free its IdentityNet session when done (a no-op when a runner's pool owns it). */
export type InstantIdHook = HookRegistry & { release(): Promise<void> };

/**
 * InstantID as one hook: IdentityNet (residuals) and the Image Adapter (image-attention inputs of a
 * UNet patched with patchImageAdapter), composed. The runner's worker builds it from
 * `{ module: "builtin:instantid", options }`; a long-lived runner passes its session pool as
 * `context.sessions`, so IdentityNet is opened once for all its generations.
 */
export async function createInstantIdHook(options: InstantIdHookOptions, context: SessionContext = {}): Promise<InstantIdHook> {
  const model = context.sessions
    ? controlNetFromSession(await context.sessions.open(options.identityNet, "IdentityNet"))
    : await loadControlNet(options.identityNet);
  const tokens = (face: InstantIdFace) => ({ faceTokens: face.faceTokens, uncondFaceTokens: face.uncondFaceTokens, mask: face.mask });
  const hooks = composeHooks(
    createIdentityNetHook({
      model,
      start: options.start,
      end: options.end,
      identities: options.faces.map((face) => ({
        ...tokens(face),
        keypointImage: face.keypointImage,
        identityNetScale: face.identityNetScale,
      })),
    }),
    createImageAdapterHook({
      identities: options.faces.map((face) => ({ ...tokens(face), adapterScale: face.adapterScale })),
      inputNames: options.adapterInputs,
    }),
  );
  return Object.assign(hooks, { release: () => (context.sessions ? Promise.resolve() : model.session.release()) });
}
