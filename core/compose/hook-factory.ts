import type { ImageTokens } from "../image-adapter/image-tokens.js";
import type { HookRegistry } from "../hooks/compose.js";
import { controlNetFromSession, loadControlNet } from "../controlnet/controlnet-model.js";
import type { ImageAdapterInputs } from "../patch/patch-graph.js";
import type { SessionContext } from "../runtime/session-pool.js";
import { toLocalHooks } from "./local-hooks.js";
import type { Composition } from "./types.js";

/**
 * Options of {@link createCompositionHooks}: plain data (a path, tensors, typed arrays), so they can
 * be sent to a worker thread, which builds the hooks there.
 */
export interface CompositionHookOptions {
  readonly composition: Composition;
  /** The IdentityNet ONNX file. */
  readonly identityNet: string;
  /** One set per identity, from `compositionTokens(composition, resampler)`. */
  readonly tokens: readonly ImageTokens[];
  /** The patched UNet's image-attention inputs, `patchImageAdapter(...).inputs`. */
  readonly imageAdapterInputs?: ImageAdapterInputs;
}

/**
 * Loads IdentityNet and returns the composition's hooks ({@link toLocalHooks}): the factory a runner's
 * worker calls: `{ module: "builtin:composition", options }` in the SDXL runner's `generateInWorker`.
 * Given a long-lived runner's `context.sessions`, IdentityNet is taken from (and left open in) its pool.
 * @example
 * const hooks = await createCompositionHooks({ composition, identityNet: "identitynet.onnx", tokens: await compositionTokens(composition,
 * resampler), imageAdapterInputs: patched.inputs });
 */
export async function createCompositionHooks(options: CompositionHookOptions, context: SessionContext = {}): Promise<HookRegistry> {
  const identityNet = context.sessions
    ? controlNetFromSession(await context.sessions.open(options.identityNet, "IdentityNet"))
    : await loadControlNet(options.identityNet);
  return (await toLocalHooks(options.composition, { identityNet, tokens: options.tokens, imageAdapterInputs: options.imageAdapterInputs }))
    .hooks;
}
