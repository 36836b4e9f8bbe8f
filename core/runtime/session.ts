import { access } from "node:fs/promises";
import { createRequire } from "node:module";
import type * as ort from "onnxruntime-node";
import { ErrorCode, InstantIdError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";

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
  /** Threads for one operator; defaults to ONNX Runtime's choice (all cores). */
  readonly intraOpThreads?: number;
  /** Let idle operator threads spin waiting for work; default false (see {@link sessionOptions}). */
  readonly spinning?: boolean;
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
    ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
    extra: { session: { intra_op: { allow_spinning: options.spinning ? "1" : "0" } } },
  };
}

/** Opens an ONNX model from a path (external data resolves beside it) or bytes, with errors that say what to do. */
export async function loadSession(model: string | Uint8Array, options: LoadSessionOptions): Promise<OrtSession> {
  if (typeof model === "string") {
    try {
      await access(model);
    } catch (error) {
      throw new InstantIdError(
        ErrorCode.ModelNotFound,
        `The ${options.what} model ${model} does not exist or cannot be read. Check the path, or fetch the models with \`instantid models pull\`.`,
        { cause: error, details: { path: model } },
      );
    }
  }
  const settings = sessionOptions(options);
  try {
    return typeof model === "string"
      ? await runtime().InferenceSession.create(model, settings)
      : await runtime().InferenceSession.create(model, settings);
  } catch (error) {
    const source = typeof model === "string" ? model : `${model.byteLength} bytes`;
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      `ONNX Runtime could not load the ${options.what} model from ${source}: ${(error as Error).message}. The file may be truncated or not an ONNX model; download it again.`,
      { cause: error },
    );
  }
}

/** Wraps a float32 tensor for ONNX Runtime without copying its data. */
export function toOrtTensor(t: Tensor): ort.Tensor {
  return new (runtime().Tensor)("float32", t.data, [...t.shape]);
}

/** Reads a float32 ONNX Runtime output as a core tensor without copying. */
export function fromOrtTensor(value: ort.Tensor, what: string): Tensor {
  if (value.type !== "float32") {
    throw new InstantIdError(ErrorCode.ModelInvalid, `${what} is ${value.type} but float32 was expected`);
  }
  return { shape: value.dims.map(Number), data: value.data as Float32Array };
}

/** Runs a session and turns a runtime failure into an InstantIdError naming the model and the feeds. */
export async function runSession(session: OrtSession, feeds: Record<string, ort.Tensor>, what: string): Promise<Record<string, ort.Tensor>> {
  try {
    return (await session.run(feeds)) as Record<string, ort.Tensor>;
  } catch (error) {
    const shapes = Object.entries(feeds).map(([name, t]) => `${name}[${t.dims.join(",")}]`).join(", ");
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      `Running the ${what} failed with inputs ${shapes}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
