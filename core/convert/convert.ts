import { readFile, stat, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { z } from "zod";
import { ErrorCode, InstantIdError } from "../errors.js";
import { writeAtomically } from "../io/atomic.js";
import { encodeModel } from "../onnx/model.js";
import type { ProgressListener } from "../progress.js";
import { parseOptions } from "../validate.js";
import { controlNetArchitecture } from "./architecture.js";
import { CheckpointTensors } from "./checkpoint-files.js";
import { CheckpointLayerWeights, type PlannedTensor, type WeightDType } from "./checkpoint-weights.js";
import { parseControlNetConfig } from "./config.js";
import { buildControlNetGraph } from "./graph.js";
import { linkFile } from "./link-file.js";
import { checkPlan } from "./plan-check.js";
import { streamTensors } from "./stream-tensors.js";
import { sameType } from "./tensor-bytes.js";

/** Options of {@link convertControlNet}. */
export interface ConvertControlNetOptions {
  /** The diffusers folder: `config.json` and `diffusion_pytorch_model.safetensors` (or a shard index and its shards). */
  readonly dir: string;
  /** Path of the ONNX model to write; the weights go beside it to `<output>.data`. */
  readonly output: string;
  /** Element type of the written weights (default `fp16`: half the size; the graph computes in float32 either way). */
  readonly dtype?: WeightDType;
  /** One `convert` event per tensor placed in the data file (written, or found in the linked checkpoint). */
  readonly onProgress?: ProgressListener;
  /** Stops between tensors; nothing is left behind. */
  readonly signal?: AbortSignal;
}

/** What {@link convertControlNet} wrote. */
export interface ConvertedControlNet {
  /** The ONNX model (absolute path). */
  readonly model: string;
  /** Its external data file (absolute path). */
  readonly data: string;
  readonly dtype: WeightDType;
  /** Checkpoint tensors written. */
  readonly tensors: number;
  /** Bytes of the data file. */
  readonly dataBytes: number;
  /**
   * True when the data file is a hard link of the checkpoint's safetensors file (one file, already of the output's
   * type): nothing was copied, the model reads each tensor where the checkpoint holds it, and the two names share
   * the disk space (either can be deleted). False when the tensors were rewritten into a new file.
   */
  readonly linked: boolean;
}

const optionsSchema = z.object({
  dir: z.string().min(1),
  output: z.string().min(1),
  dtype: z.enum(["fp16", "fp32"]).default("fp16"),
  onProgress: z.custom<ProgressListener>((v) => typeof v === "function", "a function").optional(),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal, "an AbortSignal").optional(),
});

/**
 * Converts a diffusers `ControlNetModel` folder (InstantX's `ControlNetModel/`: config.json + fp16 safetensors)
 * into an ONNX model the SDK's IdentityNet hook runs: the graph is built from config.json, and `<output>.data`
 * holds the weights. When the checkpoint is one safetensors file already of the output's type (InstantX's fp16
 * file, kept fp16), the data file is a hard link of it and the model reads each tensor where the file holds it:
 * nothing is copied, and converting takes about as long as building the graph. Otherwise (another type, shards,
 * or a file system that cannot link) the tensors are streamed into a new file, front to back in chunks (memory
 * stays at a few chunks). Both files appear together, by rename, only when everything was written; on failure
 * nothing is left.
 *
 * @throws InstantIdError MODEL_NOT_FOUND (no config.json or weights), MODEL_INVALID (a config key the
 * converter does not build exactly, named in `details.key`; or tensors missing, extra or of the wrong shape),
 * FILE_CORRUPT, ABORTED.
 * @example
 * await convertControlNet({ dir: "models/instantid/ControlNetModel", output: "models/instantid/identitynet.onnx" });
 */
export async function convertControlNet(options: ConvertControlNetOptions): Promise<ConvertedControlNet> {
  const { dir, output, dtype, onProgress, signal } = parseOptions(optionsSchema, options, "convertControlNet options");
  const configPath = join(dir, "config.json");
  const arch = controlNetArchitecture(parseControlNetConfig(await readConfig(configPath), configPath), configPath);
  const modelPath = resolve(output);
  const dataPath = `${modelPath}.data`;
  const weights = new CheckpointLayerWeights(dtype, basename(dataPath));
  const model = buildControlNetGraph(arch, weights);
  model.metadataProps = [
    { key: "instantid.converted_from", value: "diffusers ControlNetModel" },
    { key: "instantid.weights_dtype", value: dtype },
  ];
  const checkpoint = await CheckpointTensors.open(dir);
  let linked = false;
  try {
    checkPlan(weights.plan, checkpoint);
    const placed = progressOf(weights.plan, onProgress, signal);
    await writeBoth(modelPath, dataPath, async (dataTemp) => {
      linked = await linkCheckpoint(checkpoint, weights, dtype, dataTemp);
      if (linked) for (const tensor of weights.plan) placed(tensor);
      else await streamTensors(dataTemp, layOutInFileOrder(weights, checkpoint), checkpoint, dtype, placed);
      return encodeModel(model);
    });
  } finally {
    await checkpoint.close();
  }
  return { model: modelPath, data: dataPath, dtype, tensors: weights.plan.length, dataBytes: weights.dataBytes, linked };
}

async function readConfig(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InstantIdError(
      ErrorCode.ModelNotFound,
      `Cannot read ${path}: ${(error as Error).message}. Point at a diffusers ControlNet folder (config.json + ` +
        `diffusion_pytorch_model.safetensors).`,
      { cause: error, details: { path } },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InstantIdError(ErrorCode.FileCorrupt, `${path} is not JSON: ${(error as Error).message}. Download it again.`, {
      cause: error,
      details: { path },
    });
  }
}

/**
 * Writes the data file (by `fill`, which returns the model's bytes once the data is laid out) and the model to
 * temp names, then renames the data file into place and the model that points at it; no temp is left.
 */
async function writeBoth(modelPath: string, dataPath: string, fill: (dataTemp: string) => Promise<Uint8Array>): Promise<void> {
  await writeAtomically(modelPath, (modelTemp) =>
    writeAtomically(dataPath, async (dataTemp) => writeFile(modelTemp, await fill(dataTemp))),
  );
}

/**
 * When the checkpoint is one file whose tensors all have the output's element type, its bytes are already the
 * data file: `dataTemp` becomes a hard link of it and each initializer points where the checkpoint's header puts
 * its tensor. Nothing is read or written, and the two names share the disk space. False (nothing done) when the
 * tensors must be rewritten (another type, shards) or this file system cannot link them.
 */
async function linkCheckpoint(checkpoint: CheckpointTensors, weights: CheckpointLayerWeights, dtype: WeightDType, dataTemp: string) {
  const file = checkpoint.singleFile;
  if (!file || !weights.plan.every((t) => sameType(checkpoint.entries.get(t.key)!.entry.dtype, dtype))) return false;
  if (!(await linkFile(file.path, dataTemp))) return false;
  const [linked, opened] = await Promise.all([stat(dataTemp), file.stat()]);
  if (linked.ino !== opened.ino || linked.dev !== opened.dev) {
    throw new InstantIdError(
      ErrorCode.FileCorrupt,
      `${file.path} was replaced while it was being converted; run the conversion again once it is complete.`,
      { details: { path: file.path } },
    );
  }
  weights.placeAt((key) => checkpoint.fileOffset(key), opened.size);
  return true;
}

/** Reports each tensor once it is in the data file (one `convert` event each, in plan order) and stops between tensors when aborted. */
function progressOf(
  plan: readonly PlannedTensor[],
  onProgress: ProgressListener | undefined,
  signal: AbortSignal | undefined,
): (tensor: PlannedTensor) => void {
  let completed = 0;
  return (tensor) => {
    if (signal?.aborted)
      throw new InstantIdError(ErrorCode.Aborted, "The ControlNet conversion was cancelled; nothing was written.", {
        cause: signal.reason,
      });
    completed++;
    onProgress?.({ stage: "convert", completed, total: plan.length, message: tensor.key });
  };
}

/**
 * Lays the tensors out back to back in the order the checkpoint holds them, so that a streamed conversion reads
 * the checkpoint and writes the data file front to back; returns the plan in that order.
 */
function layOutInFileOrder(weights: CheckpointLayerWeights, checkpoint: CheckpointTensors): PlannedTensor[] {
  const offsets = new Map<string, number>();
  let end = 0;
  for (const tensor of checkpoint.inFileOrder(weights.plan)) {
    offsets.set(tensor.key, end);
    end += tensor.length;
  }
  weights.placeAt((key) => offsets.get(key)!, end);
  return checkpoint.inFileOrder(weights.plan);
}
