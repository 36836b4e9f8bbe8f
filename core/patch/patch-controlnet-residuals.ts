import type { Hash } from "node:crypto";
import { z } from "zod";
import { parseOptions } from "../validate.js";
import { addControlNetResiduals, type ControlNetResidualInputs } from "./controlnet-residuals.js";
import { GraphEditor } from "../onnx/graph.js";
import { decodeModel, encodeModel, type OnnxModel } from "../onnx/model.js";
import { patchModelFile } from "./patch-file.js";

const optionsSchema = z.object({
  /** Name of the latent input, whose type and sizes the residual inputs follow. Default "sample". */
  sampleInput: z.string().min(1).default("sample"),
  outDir: z.string().min(1).optional(),
  cache: z.boolean().default(true),
});

/** Options of {@link patchControlNetResiduals}. */
export type PatchControlNetResidualsOptions = z.input<typeof optionsSchema>;

/** What {@link patchControlNetResiduals} produced. */
export interface ResidualPatchedUnet {
  /** The patched model file (the UNet itself when it already took residuals); it reads the original's external data. */
  readonly modelPath?: string;
  /** The patched model bytes (when the UNet was given as bytes). */
  readonly bytes?: Uint8Array;
  /** The residual inputs, down blocks in diffusers' order, then the mid block. */
  readonly residuals: ControlNetResidualInputs;
  /** False when the UNet already took residuals (nothing was written). */
  readonly added: boolean;
  /** True when an earlier identical patch was reused from disk. */
  readonly cached: boolean;
}

/** Adds the residual inputs to `model` in place (see {@link addControlNetResiduals}). */
export function patchResidualsGraph(model: OnnxModel, sampleInput?: string): { residuals: ControlNetResidualInputs; added: boolean } {
  const editor = new GraphEditor(model.graph);
  const result = addControlNetResiduals(editor, sampleInput);
  editor.finish();
  return result;
}

// Bump when the graph the patch writes changes, so older cached patches are not reused.
const PATCH_FORMAT = "instantid-controlnet-residuals-1";

/**
 * Patches an SDXL UNet export without ControlNet inputs (optimum's `unet/model.onnx`) so that it takes
 * ControlNet residuals: `down_block_additional_residual_<i>` per down-block skip and
 * `mid_block_additional_residual`, added exactly where diffusers adds them. Skips are found by the
 * graph's structure (the tensors the up blocks concatenate), so stripped names, fused attention and
 * an Image Adapter patch applied before all work; weights in external data are never read.
 *
 * Given a path, writes `<name>.instantid-<hash>.onnx` beside it (or in `outDir`) and reuses it when
 * present; given bytes, returns the patched bytes. To add the image attention in the same file, use
 * `patchImageAdapter(unet, adapter, { controlNetResiduals: true })`.
 *
 * @throws InstantIdError GRAPH_PATCH when the graph shows no UNet skip connections.
 * @example
 * const { modelPath, residuals } = await patchControlNetResiduals("sdxl/unet/model.onnx");
 * // residuals.down: 9 names for SDXL, residuals.mid: "mid_block_additional_residual"
 */
export async function patchControlNetResiduals(
  unet: string | Uint8Array,
  options: PatchControlNetResidualsOptions = {},
): Promise<ResidualPatchedUnet> {
  const opts = parseOptions(optionsSchema, options, "patchControlNetResiduals options");
  const edit = (model: OnnxModel) => patchResidualsGraph(model, opts.sampleInput);
  if (typeof unet !== "string") {
    const model = decodeModel(unet);
    const report = edit(model);
    return { bytes: encodeModel(model), ...report, cached: false };
  }
  const key = (hash: Hash): void => void hash.update(PATCH_FORMAT).update(opts.sampleInput);
  const unchanged = (report: ReturnType<typeof edit>) => !report.added;
  const { modelPath, report, cached } = await patchModelFile(
    unet,
    { key, edit, unchanged },
    { ...opts, inlineWeightLimit: Number.POSITIVE_INFINITY },
  );
  return { modelPath, ...report, cached };
}
