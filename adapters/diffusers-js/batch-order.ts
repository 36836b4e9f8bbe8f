import type { Tensor } from "../../core/index.js";

/** Row roles of a guidance batch. */
export type Rows = readonly ("uncond" | "cond")[];

/** How the wrapper learns the row order: fixed, or "auto". */
export type RowOrder = "uncond-cond" | "cond-uncond" | "auto";

/** For runners that call the UNet twice per step with one row each: which call comes first. */
export type SeparateCalls = "uncond-first" | "cond-first";

function rowIsZero(t: Tensor, row: number): boolean {
  const size = t.data.length / t.shape[0];
  for (let i = row * size; i < (row + 1) * size; i++) if (t.data[i] !== 0) return false;
  return true;
}

/**
 * The role of each row of a UNet batch. One row is the conditional pass (guidance off, e.g. LCM),
 * unless its prompt is all zeros (SDXL's empty negative prompt) or the runner calls twice per step
 * (`separate`, with `call` the call's number within the step). With two rows, "auto" takes the
 * all-zero prompt row as unconditional and otherwise assumes diffusers' order [uncond, cond],
 * which diffusers.js and ONNX Runtime's examples follow.
 */
export function detectRows(promptEmbeds: Tensor, order: RowOrder, separate?: SeparateCalls, call = 0): Rows {
  const batch = promptEmbeds.shape[0];
  if (batch === 1 && separate) return [(call % 2 === 0) === (separate === "uncond-first") ? "uncond" : "cond"];
  if (batch === 1) return rowIsZero(promptEmbeds, 0) ? ["uncond"] : ["cond"];
  if (order === "cond-uncond") return ["cond", "uncond"];
  if (order === "uncond-cond") return ["uncond", "cond"];
  if (batch === 2 && rowIsZero(promptEmbeds, 1) && !rowIsZero(promptEmbeds, 0)) return ["cond", "uncond"];
  return Array.from({ length: batch }, (_, i) => (i < batch / 2 ? "uncond" : "cond"));
}
