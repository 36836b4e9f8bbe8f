import { ErrorCode, InstantIdError } from "../errors.js";

/** Names of a residual set in a graph: the down-block tensors in order, and the mid-block tensor. */
export interface ResidualNames {
  readonly down: readonly string[];
  readonly mid: string;
}

/** A naming convention for residuals: down name by index, and the mid name. */
export interface ResidualConvention {
  readonly name: string;
  down(index: number): string;
  readonly mid: string;
}

/** ControlNet output conventions in use, most specific first. */
export const controlNetOutputConventions: readonly ResidualConvention[] = [
  // diffusers' ControlNetOutput fields (down_block_res_samples, mid_block_res_sample), one output each.
  { name: "diffusers", down: (i) => `down_block_res_sample_${i}`, mid: "mid_block_res_sample" },
  // OnnxStack's SDXL ControlNets return the names its UNets take.
  { name: "onnxstack", down: (i) => `down_block_${i}_additional_residual`, mid: "mid_block_additional_residual" },
  { name: "diffusers-unet", down: (i) => `down_block_additional_residual_${i}`, mid: "mid_block_additional_residual" },
  // SD 1.5 exports used by diffusers.js.
  { name: "numbered", down: (i) => `down_block_${i}`, mid: "mid_block" },
];

/** UNet residual input conventions in use, most specific first. */
export const unetInputConventions: readonly ResidualConvention[] = [
  // diffusers' UNet2DConditionModel arguments (down_block_additional_residuals, mid_block_additional_residual).
  { name: "diffusers", down: (i) => `down_block_additional_residual_${i}`, mid: "mid_block_additional_residual" },
  { name: "onnxstack", down: (i) => `down_block_${i}_additional_residual`, mid: "mid_block_additional_residual" },
  { name: "numbered", down: (i) => `down_block_${i}`, mid: "mid_block" },
];

/** A convention by name, or explicit names, or "auto" to find the convention the graph uses. */
export type ResidualNaming = "auto" | string | ResidualNames;

/**
 * Resolves the residual names of one side of the link (ControlNet outputs or UNet inputs) against
 * the names the graph actually has. Throws, listing the graph's names, when nothing fits.
 */
export function resolveResidualNames(
  naming: ResidualNaming,
  conventions: readonly ResidualConvention[],
  available: readonly string[],
  what: string,
): ResidualNames {
  const names = new Set(available);
  if (typeof naming === "object") {
    const missing = [...naming.down, naming.mid].filter((n) => !names.has(n));
    if (missing.length) throw missingNames(what, missing, available);
    return { down: [...naming.down], mid: naming.mid };
  }
  const candidates = naming === "auto" ? conventions : conventions.filter((c) => c.name === naming);
  if (candidates.length === 0) {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `Unknown residual naming preset "${naming}" for the ${what}; use one of: auto, ` +
        `${conventions.map((c) => c.name).join(", ")}, or give {down: [...], mid} explicitly`,
    );
  }
  for (const convention of candidates) {
    const down: string[] = [];
    while (names.has(convention.down(down.length))) down.push(convention.down(down.length));
    if (down.length > 0 && names.has(convention.mid)) return { down, mid: convention.mid };
  }
  throw new InstantIdError(
    ErrorCode.ModelInvalid,
    `The ${what} has no residual names of the ${candidates.map((c) => `"${c.name}" (${c.down(0)}..., ${c.mid})`).join(" or ")} ` +
      `convention; its names are ${available.join(", ")}. Pass the names explicitly as {down: [...], mid}.`,
  );
}

function missingNames(what: string, missing: readonly string[], available: readonly string[]): InstantIdError {
  return new InstantIdError(
    ErrorCode.ModelInvalid,
    `The ${what} has no tensor named ${missing.join(", ")}; its names are ${available.join(", ")}`,
  );
}
