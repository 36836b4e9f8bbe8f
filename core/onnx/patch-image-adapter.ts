import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { z } from "zod";
import type { ImageAdapterWeights } from "../adapter/weights.js";
import { ErrorCode, InstantIdError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { parseOptions } from "../validate.js";
import { moveToExternalData, relocateExternalData } from "./external-data.js";
import { decodeModel, encodeModel } from "./model.js";
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
  inlineWeightLimit: z.number().int().min(0).default(256 * 1024 * 1024),
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
  /** True when an earlier identical patch was reused from disk. */
  readonly cached: boolean;
}

/**
 * Patches an ONNX SDXL UNet so that every cross-attention block adds the Image Adapter's image attention
 * (`Σ_i scale_i · mask_i · Attn(q, K_ip, V_ip)`) to its text attention, before `to_out`.
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
export async function patchImageAdapter(unet: string | Uint8Array, adapter: ImageAdapterWeights, options: PatchImageAdapterOptions = {}): Promise<PatchedUnet> {
  const opts = parseOptions(optionsSchema, options, "patchImageAdapter options");
  const graphOptions = { identities: opts.identities, masks: opts.masks, tokens: opts.tokens, tokenCount: opts.tokenCount, contextInput: opts.contextInput };
  if (typeof unet !== "string") {
    const model = decodeModel(unet);
    const { blocks, inputs } = patchGraph(model, adapter, graphOptions);
    return { bytes: encodeModel(model), blocks, inputs, cached: false };
  }
  const source = resolve(unet);
  const outDir = resolve(opts.outDir ?? dirname(source));
  const hashes = new FileHashes(join(outDir, HASH_INDEX));
  let bytes: Buffer | undefined;
  const modelHash = await hashes.of(source, async () => sha256((bytes ??= await readModelBytes(source))));
  const adapterHash = opts.adapterFile ? await hashes.of(resolve(opts.adapterFile), async () => projectionsHash(adapter)) : projectionsHash(adapter);
  await hashes.save();
  const hash = createHash("sha256").update(PATCH_FORMAT).update(modelHash).update(adapterHash).update(JSON.stringify(graphOptions)).digest("hex").slice(0, 16);
  const modelPath = join(outDir, `${basename(source).replace(/\.onnx$/i, "")}.instantid-${hash}.onnx`);
  const reportPath = `${modelPath}.json`;
  if (opts.cache) {
    const previous = await readReport(modelPath, reportPath);
    if (previous) return { modelPath, ...previous, cached: true };
  }
  const model = decodeModel((bytes ??= await readModelBytes(source)), source);
  const { blocks, inputs } = patchGraph(model, adapter, graphOptions);
  relocateExternalData(model.graph, dirname(source), outDir);
  const added = new Set(model.graph.initializer.filter((t) => t.name?.startsWith("instantid.")).map((t) => t.name!));
  const addedBytes = model.graph.initializer.reduce((n, t) => n + (t.name && added.has(t.name) ? t.rawData?.byteLength ?? 0 : 0), 0);
  if (addedBytes > opts.inlineWeightLimit) await moveToExternalData(model.graph, added, modelPath, `${modelPath}.data`);
  await writeFileAtomic(modelPath, encodeModel(model));
  await writeFileAtomic(reportPath, JSON.stringify({ blocks, inputs }, null, 1));
  return { modelPath, blocks, inputs, cached: false };
}

async function readModelBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new InstantIdError(ErrorCode.ModelNotFound, `Cannot read the UNet model ${path}: ${(error as Error).message}. Check the path.`, {
      cause: error,
      details: { path },
    });
  }
}

// Bump when the graph the patch writes changes, so older cached patches are not reused.
const PATCH_FORMAT = "instantid-image-attention-1";

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Each loaded adapter's projections are hashed at most once. */
const projectionHashes = new WeakMap<ImageAdapterWeights, string>();

/** SHA-256 over every image projection (keys, shapes, values). */
function projectionsHash(adapter: ImageAdapterWeights): string {
  let known = projectionHashes.get(adapter);
  if (known) return known;
  const hash = createHash("sha256");
  for (const key of [...adapter.ipLayers.keys()].sort((a, b) => a - b)) {
    const layer = adapter.ipLayers.get(key)!;
    hash.update(`${key}:${layer.toK.shape.join("x")}`);
    for (const t of [layer.toK, layer.toV]) hash.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  projectionHashes.set(adapter, (known = hash.digest("hex")));
  return known;
}

/** Where the content hashes of files seen before are kept, by file identity, in the patch folder. */
const HASH_INDEX = ".instantid-hashes.json";

/**
 * Content hashes keyed by a file's identity (absolute path, size, mtime): a file that has not changed
 * is not read or hashed again. A changed file has another identity, so a stale entry is never used.
 */
class FileHashes {
  private entries: Record<string, string> | undefined;
  private changed = false;

  constructor(private readonly path: string) {}

  async of(file: string, compute: () => Promise<string>): Promise<string> {
    const info = await stat(file).catch(() => undefined);
    if (!info) return compute();
    const identity = `${file}|${info.size}|${info.mtimeMs}`;
    this.entries ??= await readFile(this.path, "utf8").then((text) => JSON.parse(text) as Record<string, string>, () => ({}));
    const known = this.entries[identity];
    if (known) return known;
    this.changed = true;
    return (this.entries[identity] = await compute());
  }

  async save(): Promise<void> {
    if (this.changed && this.entries) await writeFileAtomic(this.path, JSON.stringify(this.entries, null, 1)).catch(() => undefined);
  }
}

async function readReport(modelPath: string, reportPath: string): Promise<{ blocks: PatchedBlock[]; inputs: ImageAdapterInputs } | undefined> {
  try {
    await stat(modelPath);
    return JSON.parse(await readFile(reportPath, "utf8"));
  } catch {
    return undefined;
  }
}
