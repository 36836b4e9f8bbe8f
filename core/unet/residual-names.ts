/** Names of a UNet's ControlNet residual inputs: the down-block skips in order, and the mid block. */
export interface ResidualNames {
  readonly down: readonly string[];
  readonly mid: string;
}

/**
 * Finds residual inputs by the conventions of SD exports: `down_block_additional_residual_<i>` /
 * `down_block_<i>_additional_residual` / `down_block_<i>` plus a `mid_block…` input, ordered by index.
 */
export function detectResidualNames(inputNames: readonly string[]): ResidualNames | undefined {
  const down = inputNames
    .map((name) => ({ name, match: /^down_block(?:_additional_residual)?_(\d+)(?:_additional_residual)?$/.exec(name) }))
    .filter((entry) => entry.match)
    .sort((a, b) => Number(a.match![1]) - Number(b.match![1]))
    .map((entry) => entry.name);
  const mid = inputNames.find((name) => /^mid_block.*residual/.test(name) || name === "mid_block");
  return down.length > 0 && mid ? { down, mid } : undefined;
}

