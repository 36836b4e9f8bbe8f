import type { Hash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { ErrorCode, InstantIdError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { moveToExternalData, relocateExternalData } from "../onnx/external-data.js";
import { FileHashes, HASH_INDEX } from "./file-hashes.js";
import { sha256Hasher, sha256Hex } from "../io/sha256.js";
import { decodeModel, encodeModel, type OnnxModel } from "../onnx/model.js";

/** Where and how a patched model file is written. */
export interface PatchFileOptions {
  /** Folder of the patched model; default the original's (it must contain the original's weights). */
  readonly outDir?: string;
  /** Reuse an identical earlier patch found on disk. */
  readonly cache: boolean;
  /** Weights the patch adds (initializers named `instantid.*`) above this many bytes go to `<patched>.data`. */
  readonly inlineWeightLimit: number;
}

/** A patch of a model file: what goes into its cache key, and the edit (in place) returning a JSON report. */
export interface FilePatch<R> {
  /**
   * Feeds everything besides the model bytes that decides the result (format version, weights, options);
   * `files` remembers content hashes of files by identity, so large inputs are hashed once.
   */
  key(hash: Hash, files: FileHashes): void | Promise<void>;
  edit(model: OnnxModel): R;
  /** True when the edit left the model as it was: nothing is written and the original is the result. */
  unchanged?(report: R): boolean;
}

/**
 * Applies `patch` to the ONNX file `source` and writes `<name>.instantid-<hash>.onnx` beside it (or in
 * `outDir`), with the report as `<that>.json`; the hash covers the model bytes and the patch's key, so
 * an identical earlier result is reused. The model's content hash is computed once per file identity (path,
 * size, mtime) and remembered in the folder's `.instantid-hashes.json`, so a cache hit reads nothing large.
 * Only the model file is read: its external weights are neither loaded nor copied, the patched model points at them. When the edit changed
 * nothing, nothing is written
 * and `modelPath` is the original.
 */
export async function patchModelFile<R>(
  source: string,
  patch: FilePatch<R>,
  options: PatchFileOptions,
): Promise<{ modelPath: string; report: R; cached: boolean }> {
  const path = resolve(source);
  const outDir = resolve(options.outDir ?? dirname(path));
  const files = new FileHashes(join(outDir, HASH_INDEX));
  let bytes: Buffer | undefined;
  const hash = sha256Hasher().update(await files.of(path, async () => sha256Hex((bytes ??= await readModelBytes(path)))));
  await patch.key(hash, files);
  const modelPath = join(outDir, `${basename(path).replace(/\.onnx$/i, "")}.instantid-${hash.digest("hex").slice(0, 16)}.onnx`);
  const reportPath = `${modelPath}.json`;
  if (options.cache) {
    const previous = await readReport<R>(modelPath, reportPath);
    if (previous) {
      await files.save();
      return { modelPath, report: previous, cached: true };
    }
  }
  const model = decodeModel((bytes ??= await readModelBytes(path)), path);
  const report = patch.edit(model);
  // Nothing is written for a model the patch leaves as it is, not even the hash index.
  if (patch.unchanged?.(report)) return { modelPath: path, report, cached: false };
  await files.save();
  relocateExternalData(model.graph, dirname(path), outDir);
  const added = new Set(model.graph.initializer.filter((t) => t.name?.startsWith("instantid.") && t.rawData).map((t) => t.name!));
  const addedBytes = model.graph.initializer.reduce((n, t) => n + (t.name && added.has(t.name) ? (t.rawData?.byteLength ?? 0) : 0), 0);
  if (addedBytes > options.inlineWeightLimit) await moveToExternalData(model.graph, added, modelPath, `${modelPath}.data`);
  await writeFileAtomic(modelPath, encodeModel(model));
  await writeFileAtomic(reportPath, JSON.stringify(report, null, 1));
  return { modelPath, report, cached: false };
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

async function readReport<R>(modelPath: string, reportPath: string): Promise<R | undefined> {
  try {
    await stat(modelPath);
    return JSON.parse(await readFile(reportPath, "utf8")) as R;
  } catch {
    return undefined;
  }
}
