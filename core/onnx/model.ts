import { readFile } from "node:fs/promises";
import type Long from "long";
import { ErrorCode, InstantIdError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { halfToFloat } from "../tensor/dtype.js";
import { decodeModelProto, ModelProtoType } from "./schema.js";

/** A 64-bit integer as protobufjs decodes it (a Long) or as the SDK writes it (a number). */
export type Int64 = number | Long;

/** A key/value string pair (`onnx.StringStringEntryProto`). */
export interface OnnxEntry {
  key: string;
  value: string;
}

/** The part of `onnx.TensorProto` the SDK reads and writes; other fields ride along untouched. */
export interface OnnxTensor {
  name?: string;
  dims?: Int64[];
  dataType?: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int64Data?: Int64[];
  externalData?: OnnxEntry[];
  dataLocation?: number;
}

/** The part of `onnx.AttributeProto` the SDK uses. */
export interface OnnxAttribute {
  name: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: OnnxTensor;
  ints?: Int64[];
  floats?: number[];
}

/** The part of `onnx.NodeProto` the SDK uses. */
export interface OnnxNode {
  input: string[];
  output: string[];
  name?: string;
  opType?: string;
  domain?: string;
  attribute?: OnnxAttribute[];
}

/** One dimension of a tensor shape: a fixed size or a symbolic name. */
export interface OnnxDimension {
  dimValue?: Int64;
  dimParam?: string;
}

/** The part of `onnx.ValueInfoProto` the SDK uses (tensor-typed values only). */
export interface OnnxValueInfo {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: OnnxDimension[] } } };
}

/** The part of `onnx.GraphProto` the SDK uses. */
export interface OnnxGraph {
  node: OnnxNode[];
  name?: string;
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  valueInfo?: OnnxValueInfo[];
}

/** The part of `onnx.ModelProto` the SDK uses. */
export interface OnnxModel {
  irVersion?: Int64;
  opsetImport: { domain?: string; version?: Int64 }[];
  producerName?: string;
  graph: OnnxGraph;
  metadataProps?: OnnxEntry[];
}

/** ONNX element types (`TensorProto.DataType`) the SDK creates. */
export const OnnxDataType = { Float: 1, Int64: 7, Float16: 10 } as const;

/** Decodes ONNX model bytes; weights kept in external files stay there (only their locations are read). */
export function decodeModel(bytes: Uint8Array, source = "model bytes"): OnnxModel {
  let model: OnnxModel;
  try {
    model = decodeModelProto(bytes) as unknown as OnnxModel;
  } catch (error) {
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      `Could not parse ${source} as an ONNX model: ${(error as Error).message}. The file may be truncated; download it again.`,
      { cause: error },
    );
  }
  if (!model.graph) {
    throw new InstantIdError(ErrorCode.ModelInvalid, `${source} has no graph; it is not an ONNX model.`);
  }
  for (const key of ["node", "initializer", "input", "output"] as const) {
    if (!Object.hasOwn(model.graph, key)) model.graph[key] = [] as never;
  }
  for (const node of model.graph.node) {
    if (!Object.hasOwn(node, "input")) node.input = [];
    if (!Object.hasOwn(node, "output")) node.output = [];
  }
  return model;
}

/** Encodes a model to ONNX bytes; fields the SDK never touched are written as they were read. */
export function encodeModel(model: OnnxModel): Uint8Array {
  return ModelProtoType.encode(model as never).finish();
}

/** Reads an ONNX model file without loading its external data. */
export async function readModel(path: string): Promise<OnnxModel> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InstantIdError(ErrorCode.ModelNotFound, `Cannot read the ONNX model ${path}: ${(error as Error).message}`, {
      cause: error,
      details: { path },
    });
  }
  return decodeModel(bytes, path);
}

/** Writes a model atomically. External data locations are written as they are: relative to `path`'s folder. */
export async function writeModel(path: string, model: OnnxModel): Promise<void> {
  await writeFileAtomic(path, encodeModel(model));
}

/** A 64-bit integer as a JavaScript number (exact below 2^53, which covers dims and attributes the SDK reads). */
export function toNumber(value: Int64 | undefined): number {
  if (value === undefined || value === null) return 0;
  return typeof value === "number" ? value : value.toNumber();
}

/**
 * The values of a constant tensor held in the model (float32, float16, double, int32 or int64; raw or
 * typed fields) as numbers, or undefined when its data lives elsewhere (external data) or its type is other.
 */
export function constantNumbers(tensor: OnnxTensor & { int32Data?: number[]; doubleData?: number[] }): number[] | undefined {
  const raw = tensor.rawData;
  if (raw?.byteLength) {
    // A copy: decoded bytes may be a view into the whole model buffer (Node's Buffer.slice does not copy).
    const bytes = new Uint8Array(raw);
    switch (tensor.dataType) {
      case OnnxDataType.Float:
        return [...new Float32Array(bytes.buffer)];
      case OnnxDataType.Float16:
        return Array.from(new Uint16Array(bytes.buffer), halfToFloat);
      case OnnxDataType.Int64:
        return Array.from(new BigInt64Array(bytes.buffer), Number);
      case ONNX_INT32:
        return [...new Int32Array(bytes.buffer)];
      case ONNX_DOUBLE:
        return [...new Float64Array(bytes.buffer)];
      default:
        return undefined;
    }
  }
  if (tensor.dataLocation === 1) return undefined;
  const typed = tensor.floatData?.length
    ? tensor.floatData
    : tensor.int64Data?.length
      ? tensor.int64Data.map(toNumber)
      : tensor.int32Data?.length
        ? tensor.int32Data
        : tensor.doubleData;
  return typed ? [...typed] : undefined;
}

const ONNX_INT32 = 6;
const ONNX_DOUBLE = 11;
