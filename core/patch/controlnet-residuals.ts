import { ErrorCode, InstantIdError } from "../errors.js";
import type { GraphEditor } from "../onnx/graph.js";
import { readIntAttribute } from "../onnx/graph.js";
import type { OnnxDimension, OnnxNode, OnnxValueInfo } from "../onnx/model.js";
import { OnnxDataType, toNumber } from "../onnx/model.js";
import { findUnetSkips, type UnetSkips } from "./unet-skips.js";

/** The ControlNet residual inputs of a UNet: one per down-block skip, in diffusers' order, and the mid block's. */
export interface ControlNetResidualInputs {
  readonly down: readonly string[];
  readonly mid: string;
}

/**
 * The names a patch gives the residual inputs: diffusers' `UNet2DConditionModel` arguments
 * (`down_block_additional_residuals`, `mid_block_additional_residual`), the "diffusers" convention the
 * runner resolves (core/unet/residual-names.ts).
 */
export function controlNetResidualInputNames(count: number): ControlNetResidualInputs {
  return { down: Array.from({ length: count }, (_, i) => `down_block_additional_residual_${i}`), mid: "mid_block_additional_residual" };
}

const SAME_SHAPE_OPS = new Set(["Add", "Sub", "Mul", "Div", "Cast", "Identity", "BiasAdd"]);
const POOL_OPS = new Set(["Conv", "AveragePool", "MaxPool"]);

/**
 * Adds ControlNet residual inputs where diffusers adds them: `down_block_res_samples[i] + residual_i`
 * only where the up block concatenates the skip (the down path goes on with the plain tensor), and
 * `mid_block_output + mid_residual` for everything after the mid block. Inputs are declared as
 * [batch, channels, height/f, width/f] in the sample's type, channels read from the nearest
 * convolution. A UNet that already takes residuals is left as it is and its input names returned.
 * @throws InstantIdError GRAPH_PATCH when the graph shows no UNet skip connections, or only some take residuals.
 */
export function addControlNetResiduals(
  editor: GraphEditor,
  sampleInput = "sample",
): { residuals: ControlNetResidualInputs; added: boolean } {
  const unet = findUnetSkips(editor);
  if (!unet) {
    throw new InstantIdError(
      ErrorCode.GraphPatch,
      "Found no skip connections (an up block's Concat of running features and a tensor kept from the down path) in the graph, " +
        "so it is not a UNet the residual patch understands. Pass the UNet's model.onnx (optimum's unet/ folder).",
    );
  }
  const existing = [...unet.skips.map((s) => s.residual), unet.mid.residual];
  if (existing.every(Boolean)) return { residuals: { down: unet.skips.map((s) => s.residual!), mid: unet.mid.residual! }, added: false };
  if (existing.some(Boolean)) {
    throw new InstantIdError(
      ErrorCode.GraphPatch,
      `The UNet already takes residuals for some skips (${existing.filter(Boolean).join(", ")}) but not all ${existing.length}; ` +
        `it cannot be patched consistently. Start from the unpatched export.`,
    );
  }
  const sample = editor.graph.input.find((v) => v.name === sampleInput) ?? editor.graph.input[0];
  const residuals = controlNetResidualInputNames(unet.skips.length);
  const shapes = residualShapes(editor, unet);
  unet.skips.forEach((skip, i) => {
    declare(editor, residuals.down[i], sample, shapes.down[i]);
    const sum = editor.add("Add", [skip.source, residuals.down[i]], `/instantid/controlnet/down_residual_${i}`);
    editor.rewire(skip.concat, skip.source, sum);
  });
  declare(editor, residuals.mid, sample, shapes.mid);
  const readers = [...editor.consumers(unet.mid.source)];
  const sum = editor.add("Add", [unet.mid.source, residuals.mid], "/instantid/controlnet/mid_residual");
  for (const reader of readers) editor.rewire(reader, unet.mid.source, sum);
  return { residuals, added: true };
}

interface ResidualShape {
  readonly channels?: number;
  readonly factor: number;
}

/** Channels from the nearest convolution; the spatial factor doubles at every strided skip (a downsampler's output). */
function residualShapes(editor: GraphEditor, unet: UnetSkips): { down: ResidualShape[]; mid: ResidualShape } {
  let factor = 1;
  const down = unet.skips.map((skip) => {
    factor *= strideOf(editor.producer(skip.source));
    return { channels: channelsOf(editor, skip.source), factor };
  });
  return { down, mid: { channels: channelsOf(editor, unet.mid.source), factor } };
}

function strideOf(node: OnnxNode | undefined): number {
  if (!node || !POOL_OPS.has(node.opType ?? "")) return 1;
  const strides = node.attribute?.find((a) => a.name === "strides")?.ints?.map(toNumber) ?? [];
  return Math.max(1, ...strides);
}

/** Output channels of the nearest Conv behind `tensor` through shape-keeping elementwise ops (dims[0] of its weight). */
function channelsOf(editor: GraphEditor, tensor: string): number | undefined {
  const queue = [tensor];
  const seen = new Set<string>();
  while (queue.length && seen.size < 16) {
    const current = queue.shift()!;
    if (seen.has(current)) continue;
    seen.add(current);
    const node = editor.producer(current);
    if (!node) continue;
    if (node.opType === "Conv" && readIntAttribute(node, "group", 1) === 1) {
      const dims = editor.constantTensor(node.input[1])?.dims;
      if (dims?.length === 4) return toNumber(dims[0]);
    }
    if (SAME_SHAPE_OPS.has(node.opType ?? "")) queue.push(...node.input.filter((t) => t && !editor.isConstant(t)));
  }
  return undefined;
}

function declare(editor: GraphEditor, name: string, sample: OnnxValueInfo, shape: ResidualShape): void {
  const dims = sample.type?.tensorType?.shape?.dim ?? [];
  // A decoded dimension reads dimValue 0 when it holds a name instead (protobuf defaults), so the name decides.
  const size = (dim: OnnxDimension | undefined) => (!dim?.dimParam && toNumber(dim?.dimValue) > 0 ? toNumber(dim?.dimValue) : undefined);
  const spatial = (axis: number, fallback: string): OnnxDimension => {
    const fixed = size(dims[axis]);
    if (fixed !== undefined) return { dimValue: Math.ceil(fixed / shape.factor) };
    const param = dims[axis]?.dimParam || fallback;
    return { dimParam: shape.factor === 1 ? param : `${param}/${shape.factor}` };
  };
  const batchSize = size(dims[0]);
  const batch: OnnxDimension = batchSize !== undefined ? { dimValue: batchSize } : { dimParam: dims[0]?.dimParam || "batch" };
  const channels: OnnxDimension = shape.channels ? { dimValue: shape.channels } : { dimParam: `${name}_channels` };
  editor.graph.input.push({
    name,
    type: {
      tensorType: {
        elemType: sample.type?.tensorType?.elemType ?? OnnxDataType.Float,
        shape: { dim: [batch, channels, spatial(2, "height"), spatial(3, "width")] },
      },
    },
  });
}
