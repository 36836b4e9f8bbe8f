import { type FileHandle, readFile, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { z } from "zod";
import { ErrorCode, InstantIdError } from "../errors.js";
import { writeAtomically, writeStreamAtomic } from "../io/atomic.js";
import { encodeModel } from "../onnx/model.js";
import type { ProgressListener } from "../progress.js";
import { parseOptions } from "../validate.js";
import { controlNetArchitecture } from "./architecture.js";
import { CheckpointTensors } from "./checkpoint-files.js";
import { CheckpointLayerWeights, type PlannedTensor, type WeightDType } from "./checkpoint-weights.js";
import { parseControlNetConfig } from "./config.js";
import { buildControlNetGraph } from "./graph.js";
import { checkPlan } from "./plan-check.js";
import { convertTensorBytes, sameType } from "./tensor-bytes.js";

/** Options of {@link convertControlNet}. */
export interface ConvertControlNetOptions {
  /** The diffusers folder: `config.json` and `diffusion_pytorch_model.safetensors` (or a shard index and its shards). */
  readonly dir: string;
  /** Path of the ONNX model to write; the weights go beside it to `<output>.data`. */
  readonly output: string;
  /** Element type of the written weights (default `fp16`: half the size; the graph computes in float32 either way). */
  readonly dtype?: WeightDType;
  /** One `convert` event per tensor written. */
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
 * into an ONNX model the SDK's IdentityNet hook runs: the graph is built from config.json, the weights are
 * streamed tensor by tensor into `<output>.data` (memory stays near one tensor). Both files appear together,
 * by rename, only when everything was written; on failure nothing is left.
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
  try {
    checkPlan(weights.plan, checkpoint);
    await writeBoth(modelPath, dataPath, encodeModel(model), (file) =>
      streamTensors(file, weights.plan, checkpoint, dtype, onProgress, signal),
    );
  } finally {
    await checkpoint.close();
  }
  return { model: modelPath, data: dataPath, dtype, tensors: weights.plan.length, dataBytes: weights.dataBytes };
}

async function readConfig(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InstantIdError(
      ErrorCode.ModelNotFound,
      `Cannot read ${path}: ${(error as Error).message}. Point at a diffusers ControlNet folder (config.json + diffusion_pytorch_model.safetensors).`,
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
 * Writes the model and the data file (by `fill`) to temp names; the data file is renamed into place once whole,
 * then the model that points at it. A failure before that removes both temps and changes neither file.
 */
async function writeBoth(
  modelPath: string,
  dataPath: string,
  modelBytes: Uint8Array,
  fill: (file: FileHandle) => Promise<void>,
): Promise<void> {
  await writeAtomically(modelPath, async (modelTemp) => {
    await writeFile(modelTemp, modelBytes);
    await writeStreamAtomic(dataPath, fill);
  });
}

async function streamTensors(
  file: FileHandle,
  plan: readonly PlannedTensor[],
  checkpoint: CheckpointTensors,
  dtype: WeightDType,
  onProgress: ProgressListener | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  // Two buffers for the whole run (what was read, what is written when the dtype changes): no allocation per tensor.
  const input = new Uint8Array(checkpoint.largestTensor());
  let converted = new Uint8Array(0);
  for (const [index, tensor] of plan.entries()) {
    if (signal?.aborted)
      throw new InstantIdError(ErrorCode.Aborted, "The ControlNet conversion was cancelled; nothing was written.", {
        cause: signal.reason,
      });
    const from = checkpoint.entries.get(tensor.key)!.entry.dtype;
    const bytes = await checkpoint.readInto(tensor.key, input);
    let out = bytes;
    if (!sameType(from, dtype)) {
      if (converted.byteLength < tensor.length) converted = new Uint8Array(tensor.length);
      out = converted.subarray(0, tensor.length);
      convertTensorBytes(bytes, from, dtype, out);
    }
    await file.write(out, 0, out.byteLength, tensor.offset);
    onProgress?.({ stage: "convert", completed: index + 1, total: plan.length, message: tensor.key });
  }
}
