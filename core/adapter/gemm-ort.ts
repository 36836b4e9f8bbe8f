import { intAttribute } from "../onnx/graph.js";
import { encodeModel, OnnxDataType, type OnnxModel, type OnnxValueInfo } from "../onnx/model.js";
import { loadSession, type OrtSession, runSession, toOrtTensor } from "../runtime/session.js";

function floatInput(name: string, dims: string[]): OnnxValueInfo {
  return { name, type: { tensorType: { elemType: OnnxDataType.Float, shape: { dim: dims.map((dimParam) => ({ dimParam })) } } } };
}

/** y = x · wᵀ as one ONNX Gemm (transB = 1), every size symbolic: MLAS's SGEMM reads a PyTorch weight as it lies. */
function gemmModel(): OnnxModel {
  return {
    irVersion: 8,
    opsetImport: [{ domain: "", version: 17 }],
    producerName: "instantid",
    graph: {
      name: "linear",
      node: [{ input: ["x", "w"], output: ["y"], name: "/Gemm", opType: "Gemm", attribute: [intAttribute("transB", 1)] }],
      initializer: [],
      input: [floatInput("x", ["rows", "in"]), floatInput("w", ["out", "in"])],
      output: [floatInput("y", ["rows", "out"])],
    },
  };
}

let session: Promise<OrtSession> | undefined;

function gemmSession(): Promise<OrtSession> {
  session ??= loadSession(encodeModel(gemmModel()), { what: "linear projection (Gemm)" }).catch((error: unknown) => {
    session = undefined;
    throw error;
  });
  return session;
}

/**
 * y = x · Wᵀ for x [rows, inDim] and a PyTorch Linear weight W [outDim, inDim], on ONNX Runtime's
 * SGEMM. The weight is fed as an input, so it is read in place (no copy into another heap): for
 * weight-streaming products with few rows (the Image Adapter's K/V projections, 1.36 GB of weights
 * for 32 token rows) this reads each weight byte once, on all cores.
 */
export async function ortLinear(x: Float32Array, rows: number, weight: Float32Array, outDim: number): Promise<Float32Array> {
  const inDim = weight.length / outDim;
  const feeds = { x: toOrtTensor({ shape: [rows, inDim], data: x }), w: toOrtTensor({ shape: [outDim, inDim], data: weight }) };
  const outputs = await runSession(await gemmSession(), feeds, "linear projection (Gemm)");
  return outputs.y.data as Float32Array;
}
