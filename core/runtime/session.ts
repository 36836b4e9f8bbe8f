import { access, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename } from "node:path";
import type * as ort from "onnxruntime-node";
import { defaultIntraOpThreads } from "../defaults.js";
import { ErrorCode, InstantIdError } from "../errors.js";
import { writeAtomically } from "../io/atomic.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkDevice, currentDevice, parseDevice, type Device } from "./device.js";
import { float16ToFloat32, float32ToFloat16 } from "./float16.js";

let onnxRuntime: typeof ort | undefined;

/**
 * onnxruntime-node, loaded on first use: importing the SDK (a bridge user never runs a model) must not map the
 * native library. Required synchronously because toOrtTensor is synchronous; the package is CommonJS.
 */
function runtime(): typeof ort {
  onnxRuntime ??= createRequire(import.meta.url)("onnxruntime-node") as typeof ort;
  return onnxRuntime;
}

/** The ONNX Runtime session type, re-exported so the rest of the core names it from one place. */
export type OrtSession = ort.InferenceSession;

/** Options for {@link loadSession}. */
export interface LoadSessionOptions {
  /** What the model is for, used in error messages ("face detector", "UNet"...). */
  readonly what: string;
  /** Threads for one operator; default every core Node may use (`defaultIntraOpThreads`). */
  readonly intraOpThreads?: number;
  /** Let idle operator threads spin waiting for work; default false (see {@link sessionOptions}). */
  readonly spinning?: boolean;
  /** Execution providers for this session; default the process's (`configureRuntime({ device })`, CPU unless set). */
  readonly device?: Device;
  /**
   * Where ONNX Runtime saves the model after its graph optimizations (large weights in `<file>.data`
   * beside it). When that file exists and is newer than the model, it is opened instead, without
   * optimizing again: creating a session for an SDXL UNet then takes a fraction of the first time.
   * The saved graph is specific to the device it was made for; give each device its own path.
   * Only for models given as a path.
   */
  readonly optimizedModelFilePath?: string;
}

/**
 * The session options every model gets. Operators run one after another (our graphs are chains, and an
 * inter-op pool would only compete with the intra-op one); idle intra-op threads sleep instead of
 * spinning: on a 2-core machine shared with anything else (the next session, the JS thread, another
 * process) spinning threads burned the cores the work needed (face analysis 101 → 53 ms per image).
 */
export function sessionOptions(options: LoadSessionOptions): ort.InferenceSession.SessionOptions {
  // Severity 3 (errors only): dynamic-shape models otherwise warn on every run that outputs differ from their export-time shapes.
  return {
    graphOptimizationLevel: "all",
    logSeverityLevel: 3,
    executionMode: "sequential",
    interOpNumThreads: 1,
    executionProviders: parseDevice(options.device ?? currentDevice()),
    intraOpNumThreads: options.intraOpThreads ?? defaultIntraOpThreads(),
    extra: { session: { intra_op: { allow_spinning: options.spinning ? "1" : "0" } } },
  };
}

async function mtimeMs(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Opens `model` through its saved optimized copy: the copy when it is newer than the model, else the
 * model, optimized and saved (to a temp name, renamed when complete, so a half-written copy is never opened).
 */
async function createWithOptimizedCopy(model: string, target: string, settings: ort.InferenceSession.SessionOptions): Promise<OrtSession> {
  const saved = await mtimeMs(target);
  const source = await mtimeMs(model);
  if (saved !== undefined && source !== undefined && saved >= source) {
    return runtime().InferenceSession.create(target, { ...settings, graphOptimizationLevel: "disabled" });
  }
  const extra = settings.extra as { session?: Record<string, unknown> } | undefined;
  // Weights go to `<target>.data` (a protobuf holds at most 2 GB); the reference inside names the final file.
  return writeAtomically(target, (temp) =>
    runtime().InferenceSession.create(model, {
      ...settings,
      optimizedModelFilePath: temp,
      extra: {
        ...extra,
        session: {
          ...extra?.session,
          optimized_model_external_initializers_file_name: `${basename(target)}.data`,
          optimized_model_external_initializers_min_size_in_bytes: "1024",
        },
      },
    }),
  );
}

/** Opens an ONNX model from a path (external data resolves beside it) or bytes, with errors that say what to do. */
export async function loadSession(model: string | Uint8Array, options: LoadSessionOptions): Promise<OrtSession> {
  if (typeof model === "string") {
    try {
      await access(model);
    } catch (error) {
      throw new InstantIdError(
        ErrorCode.ModelNotFound,
        `The ${options.what} model ${model} does not exist or cannot be read. Check the path, or fetch the models with ` +
          `\`instantid models pull\`.`,
        { cause: error, details: { path: model } },
      );
    }
  }
  const settings = sessionOptions(options);
  checkDevice(settings.executionProviders as string[], runtime().listSupportedBackends());
  try {
    if (typeof model === "string" && options.optimizedModelFilePath)
      return await createWithOptimizedCopy(model, options.optimizedModelFilePath, settings);
    return typeof model === "string"
      ? await runtime().InferenceSession.create(model, settings)
      : await runtime().InferenceSession.create(model, settings);
  } catch (error) {
    const source = typeof model === "string" ? model : `${model.byteLength} bytes`;
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      `ONNX Runtime could not load the ${options.what} model from ${source}: ${(error as Error).message}. The file may be ` +
        `truncated or not an ONNX model; download it again.`,
      { cause: error },
    );
  }
}

/** An ONNX Runtime tensor of any element type (onnxruntime loaded on first use, like every session). */
export function ortTensor(
  type: "float32" | "int32" | "int64",
  data: Float32Array | Int32Array | BigInt64Array,
  dims: readonly number[],
): ort.Tensor {
  return new (runtime().Tensor)(type, data as never, [...dims]);
}

/** Wraps a float32 tensor for ONNX Runtime without copying its data. */
export function toOrtTensor(t: Tensor): ort.Tensor {
  return new (runtime().Tensor)("float32", t.data, [...t.shape]);
}

/** Reads a float32 ONNX Runtime output as a core tensor without copying (a float16 one is widened). */
export function fromOrtTensor(value: ort.Tensor, what: string): Tensor {
  if (value.type === "float16") return { shape: value.dims.map(Number), data: float16ToFloat32(value.data as Uint16Array) };
  if (value.type !== "float32") {
    throw new InstantIdError(ErrorCode.ModelInvalid, `${what} is ${value.type} but float32 was expected`);
  }
  return { shape: value.dims.map(Number), data: value.data as Float32Array };
}

const inputTypes = new WeakMap<OrtSession, ReadonlyMap<string, string>>();

/** The element type each input of a session declares ("float32", "float16"...). */
function declaredInputTypes(session: OrtSession): ReadonlyMap<string, string> {
  let types = inputTypes.get(session);
  if (!types) {
    types = new Map(session.inputMetadata.map((m) => [m.name, m.isTensor ? m.type : ""]));
    inputTypes.set(session, types);
  }
  return types;
}

/**
 * The graph's precision at its boundary: float32 feeds of float16 inputs are rounded to float16
 * (as ONNX's Cast does), float16 outputs widened to float32, so the SDK computes in float32 around
 * graphs exported or converted in half precision.
 */
function castFeeds(session: OrtSession, feeds: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
  const types = declaredInputTypes(session);
  let cast: Record<string, ort.Tensor> | undefined;
  for (const [name, value] of Object.entries(feeds)) {
    if (value.type === "float32" && types.get(name) === "float16") {
      cast ??= { ...feeds };
      cast[name] = new (runtime().Tensor)("float16", float32ToFloat16(value.data as Float32Array), value.dims);
    }
  }
  return cast ?? feeds;
}

function widenOutputs(outputs: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
  for (const [name, value] of Object.entries(outputs)) {
    if (value.type === "float16")
      outputs[name] = new (runtime().Tensor)("float32", float16ToFloat32(value.data as Uint16Array), value.dims);
  }
  return outputs;
}

/**
 * Runs a session and turns a runtime failure into an InstantIdError naming the model and the feeds.
 * float32 feeds of float16 inputs are cast, float16 outputs come back as float32.
 */
export async function runSession(
  session: OrtSession,
  feeds: Record<string, ort.Tensor>,
  what: string,
): Promise<Record<string, ort.Tensor>> {
  try {
    return widenOutputs((await session.run(castFeeds(session, feeds))) as Record<string, ort.Tensor>);
  } catch (error) {
    const shapes = Object.entries(feeds)
      .map(([name, t]) => `${name}[${t.dims.join(",")}]`)
      .join(", ");
    throw new InstantIdError(ErrorCode.ModelInvalid, `Running the ${what} failed with inputs ${shapes}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
