import type { Hash } from "node:crypto";
import { sha256Hasher } from "../io/sha256.js";
import { resolve } from "node:path";
import { z } from "zod";
import type { ImageAdapterWeights } from "../image-adapter/weights.js";
import { parseOptions } from "../validate.js";
import type { ControlNetResidualInputs } from "./controlnet-residuals.js";
import { decodeModel, encodeModel, type OnnxModel } from "../onnx/model.js";
import { patchResidualsGraph } from "./patch-controlnet-residuals.js";
import type { FileHashes } from "./file-hashes.js";
import { patchModelFile } from "./patch-file.js";
import type { ImageAdapterInputs, PatchedBlock } from "./patch-graph.js";
import { patchGraph } from "./patch-graph.js";

const optionsSchema = z.object({
  identities: z.number().int().min(1).max(8).default(1),
  masks: z.boolean().default(false),
  tokens: z.enum(["inputs", "context"]).default("inputs"),
  tokenCount: z.number().int().min(1).default(16),
  contextInput: z.string().min(1).default("encoder_hidden_states"),
  outDir: z.string().min(1).optional(),
  cache: z.boolean().default(true),
  /**
   * The checkpoint file `adapter` was loaded from. Its identity (path, size, mtime) then keys the cache:
   * the 1.36 GB of projections are hashed once, the first time, instead of on every call.
   */
  adapterFile: z.string().min(1).optional(),
  inlineWeightLimit: z
    .number()
    .int()
    .min(0)
    .default(256 * 1024 * 1024),
  controlNetResiduals: z.boolean().default(false),
});

/** Options of {@link patchImageAdapter}. */
export type PatchImageAdapterOptions = z.input<typeof optionsSchema>;

/** What {@link patchImageAdapter} produced. */
export interface PatchedUnet {
  /** The patched model file (when the UNet was given as a path); it reads the original's external data. */
  readonly modelPath?: string;
  /** The patched model bytes (when the UNet was given as bytes). */
  readonly bytes?: Uint8Array;
  /** Every cross-attention block patched, in processor-key order. */
  readonly blocks: readonly PatchedBlock[];
  /** The graph inputs the patch added (see docs/onnx.md for the convention). */
  readonly inputs: ImageAdapterInputs;
  /** The ControlNet residual inputs, with `controlNetResiduals` (added, or found when the UNet had them). */
  readonly residuals?: ControlNetResidualInputs;
  /** True when an earlier identical patch was reused from disk. */
  readonly cached: boolean;
}

/**
 * Patches an ONNX SDXL UNet so that every cross-attention block adds the Image Adapter's image attention
 * (`Σ_i scale_i · mask_i · Attn(q, K_ip, V_ip)`) to its text attention, before `to_out`.
 *
 * With `controlNetResiduals`, the same model also gets ControlNet residual inputs (see
 * {@link patchControlNetResiduals}); either patch also applies to a model the other already patched.
 *
 * Given a path, the patched model is written beside it (or in `outDir`) as `<name>.instantid-<hash>.onnx`,
 * keyed by the model bytes, the adapter's projections and the options, and reused when present. The
 * content hashes are computed once per file identity (path, size, mtime; the adapter's with `adapterFile`)
 * and remembered in the folder's `.instantid-hashes.json`, so a cache hit reads and hashes nothing large. It points
 * at the original external data files (never copied, never read). Given bytes, the patched bytes are returned.
 *
 * @throws InstantIdError GRAPH_PATCH when the UNet's cross-attention blocks do not match the adapter.
 * @example
 * const { modelPath, inputs } = await patchImageAdapter("models/unet/model.onnx", adapter);
 * // feed inputs.tokens[0] = face tokens [B,16,2048], inputs.scales[0] = [0.8]
 */
export async function patchImageAdapter(
  unet: string | Uint8Array,
  adapter: ImageAdapterWeights,
  options: PatchImageAdapterOptions = {},
): Promise<PatchedUnet> {
  const opts = parseOptions(optionsSchema, options, "patchImageAdapter options");
  const graphOptions = {
    identities: opts.identities,
    masks: opts.masks,
    tokens: opts.tokens,
    tokenCount: opts.tokenCount,
    contextInput: opts.contextInput,
  };
  const edit = (model: OnnxModel): PatchReport => {
    const residuals = opts.controlNetResiduals ? patchResidualsGraph(model).residuals : undefined;
    return { ...patchGraph(model, adapter, graphOptions), ...(residuals ? { residuals } : {}) };
  };
  if (typeof unet !== "string") {
    const model = decodeModel(unet);
    const report = edit(model);
    return { bytes: encodeModel(model), ...report, cached: false };
  }
  const key = (hash: Hash, files: FileHashes) =>
    keyOf(hash, files, adapter, opts.adapterFile, { ...graphOptions, controlNetResiduals: opts.controlNetResiduals });
  const patch = { key, edit };
  const { modelPath, report, cached } = await patchModelFile(unet, patch, opts);
  return { modelPath, ...report, cached };
}

type PatchReport = Pick<PatchedUnet, "blocks" | "inputs" | "residuals">;

// Bump when the graph the patch writes changes, so older cached patches are not reused.
const PATCH_FORMAT = "instantid-image-attention-2";

/** The patch format, the adapter's projections (hashed once per file identity or loaded adapter) and the graph options. */
async function keyOf(
  hash: Hash,
  files: FileHashes,
  adapter: ImageAdapterWeights,
  adapterFile: string | undefined,
  options: object,
): Promise<void> {
  hash.update(PATCH_FORMAT);
  hash.update(adapterFile ? await files.of(resolve(adapterFile), async () => projectionsHash(adapter)) : projectionsHash(adapter));
  hash.update(JSON.stringify(options));
}

/** Each loaded adapter's projections are hashed at most once. */
const projectionHashes = new WeakMap<ImageAdapterWeights, string>();

/** SHA-256 over every image projection (keys, shapes, values). */
function projectionsHash(adapter: ImageAdapterWeights): string {
  let known = projectionHashes.get(adapter);
  if (known) return known;
  const hash = sha256Hasher();
  for (const key of [...adapter.ipLayers.keys()].sort((a, b) => a - b)) {
    const layer = adapter.ipLayers.get(key)!;
    hash.update(`${key}:${layer.toK.shape.join("x")}`);
    for (const t of [layer.toK, layer.toV]) hash.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  projectionHashes.set(adapter, (known = hash.digest("hex")));
  return known;
}
