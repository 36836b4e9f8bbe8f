/** A ControlNet's active part of the denoising, as fractions of the steps (diffusers' control_guidance_start/end). */
export interface GuidanceWindow {
  readonly start: number;
  readonly end: number;
}

/**
 * 1 when a ControlNet acts on step `index` of `total`, else 0, exactly as diffusers computes
 * `controlnet_keep`: keep = 1 − [index/total < start or (index+1)/total > end].
 */
export function controlKeep(index: number, total: number, window: GuidanceWindow): 0 | 1 {
  return index / total < window.start || (index + 1) / total > window.end ? 0 : 1;
}
