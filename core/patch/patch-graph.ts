import type { ImageAdapterWeights, IpLayerWeights } from "../image-adapter/weights.js";
import { ErrorCode, InstantIdError } from "../errors.js";
import { floatToHalf } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { findCrossAttention } from "./attention-sites.js";
import { float32Tensor, GraphEditor, int64Tensor, tensorValueInfo } from "../onnx/graph.js";
import type { BlockWeights, IdentitySources } from "./image-attention.js";
import { addImageAttention } from "./image-attention.js";
import type { OnnxModel, OnnxTensor, OnnxValueInfo } from "../onnx/model.js";
import { OnnxDataType, toNumber } from "../onnx/model.js";
import type { KeyedSite } from "./processor-order.js";
import { assignProcessorKeys } from "./processor-order.js";

/** How the patched graph receives the face data. */
export interface ImageAdapterGraphOptions {
  /** Number of identities, each with its own tokens, scale (and mask). Default 1. */
  readonly identities: number;
  /** Add a region-mask input per identity. Default false. */
  readonly masks: boolean;
  /**
   * "inputs": image tokens are new graph inputs `ip_tokens_<i>`. "context": they are the last
   * `tokenCount × identities` positions of `encoder_hidden_states` (text first), so runners that only
   * pass the usual inputs work unchanged. Default "inputs".
   */
  readonly tokens: "inputs" | "context";
  /** Image tokens per identity (the Resampler's queries). Default 16. */
  readonly tokenCount: number;
  /** Name of the text-context input. Default "encoder_hidden_states". */
  readonly contextInput: string;
}

/** One cross-attention block the patch changed. */
export interface PatchedBlock {
  /** The diffusers processor key whose `to_k_ip`/`to_v_ip` it uses (1, 3, 5, ...). */
  readonly key: number;
  readonly module: string;
  readonly section: "down" | "up" | "mid";
  readonly width: number;
  readonly style: "decomposed" | "fused";
}

/** The new graph inputs, per identity (index i is identity i). */
export interface ImageAdapterInputs {
  /** `ip_tokens_<i>`: [batch, tokenCount, contextDim] in the model's float type; empty in "context" mode. */
  readonly tokens: readonly string[];
  /** `ip_scale_<i>`: [1] float32; 0 turns the identity's image attention off. */
  readonly scales: readonly string[];
  /** `ip_mask_<i>`: [batch or 1, 1, H, W] float32 (latent or image resolution); empty without masks. */
  readonly masks: readonly string[];
}

/** The naming convention of the inputs a patch adds (see docs/onnx.md). */
export function imageAdapterInputNames(options: Pick<ImageAdapterGraphOptions, "identities" | "masks" | "tokens">): ImageAdapterInputs {
  const indices = Array.from({ length: options.identities }, (_, i) => i);
  return {
    tokens: options.tokens === "inputs" ? indices.map((i) => `ip_tokens_${i}`) : [],
    scales: indices.map((i) => `ip_scale_${i}`),
    masks: options.masks ? indices.map((i) => `ip_mask_${i}`) : [],
  };
}

/**
 * Inserts the Image Adapter's decoupled image attention into every cross-attention block of `model`
 * (edited in place) and returns the blocks patched and the inputs added. Throws GRAPH_PATCH when the
 * blocks found do not match the checkpoint in number, keys or widths.
 */
export function patchGraph(
  model: OnnxModel,
  adapter: ImageAdapterWeights,
  options: ImageAdapterGraphOptions,
): { blocks: PatchedBlock[]; inputs: ImageAdapterInputs } {
  const graph = model.graph;
  requireOpset(model);
  const context = graph.input.find((v) => v.name === options.contextInput);
  if (!context) {
    throw new InstantIdError(
      ErrorCode.GraphPatch,
      `The UNet has no input named "${options.contextInput}" (inputs: ${graph.input.map((v) => v.name).join(", ")}). Pass ` +
        `contextInput with the name of its text-context input.`,
    );
  }
  const editor = new GraphEditor(graph);
  const keyed = assignProcessorKeys(editor, findCrossAttention(editor, context.name));
  checkAgainstCheckpoint(keyed, adapter);
  const floatType = context.type?.tensorType?.elemType ?? OnnxDataType.Float;
  const inputs = imageAdapterInputNames(options);
  const identities = addInputs(editor, context, options, inputs, keyed[0].site.contextDim, floatType);
  for (const block of keyed) {
    const weights = storeWeights(editor, block, adapter.ipLayers.get(block.key)!);
    addImageAttention(editor, block.site, weights, identities, floatType, `/instantid/${block.module.replaceAll(".", "/")}`);
  }
  editor.finish();
  const blocks = keyed.map((b) => ({ key: b.key, module: b.module, section: b.section, width: b.site.width, style: b.site.style }));
  return { blocks, inputs };
}

function requireOpset(model: OnnxModel): void {
  const opset = model.opsetImport.find((o) => !o.domain || o.domain === "ai.onnx");
  if (opset && toNumber(opset.version) < 13) {
    throw new InstantIdError(
      ErrorCode.GraphPatch,
      `The UNet uses ONNX opset ${toNumber(opset.version)}; the patch needs opset 13 or newer. Re-export the UNet with opset ≥ 13.`,
    );
  }
}

function checkAgainstCheckpoint(keyed: readonly KeyedSite[], adapter: ImageAdapterWeights): void {
  const expected = [...adapter.ipLayers.keys()].sort((a, b) => a - b);
  if (keyed.length !== expected.length || keyed.length === 0) {
    throw new InstantIdError(
      ErrorCode.GraphPatch,
      `Found ${keyed.length} cross-attention blocks in the UNet but the Image Adapter has ${expected.length} layers ` +
        `(${keyed.map((b) => `${b.module} ${b.site.width}`).join(", ") || "none found"}). The checkpoint does not belong to this ` +
        `UNet architecture (SDXL has 70).`,
      { details: { found: keyed.length, expected: expected.length } },
    );
  }
  keyed.forEach((block, i) => {
    const layer = adapter.ipLayers.get(block.key);
    const [width, contextDim] = layer?.toK.shape ?? [];
    if (expected[i] !== block.key || width !== block.site.width || contextDim !== block.site.contextDim) {
      throw new InstantIdError(
        ErrorCode.GraphPatch,
        `Cross-attention block ${block.module} (processor key ${block.key}) has width ${block.site.width} and context ` +
          `${block.site.contextDim}, but the Image Adapter's layer ${expected[i]} projects ` +
          `[${layer?.toK.shape.join(", ") ?? "missing"}]. The checkpoint does not match this UNet.`,
        { details: { key: block.key, module: block.module } },
      );
    }
  });
}

function addInputs(
  editor: GraphEditor,
  context: OnnxValueInfo,
  options: ImageAdapterGraphOptions,
  inputs: ImageAdapterInputs,
  contextDim: number,
  floatType: number,
): IdentitySources[] {
  const input = (name: string, elemType: number, dims: (number | string)[]) =>
    editor.graph.input.push(tensorValueInfo(name, dims, elemType));
  inputs.scales.forEach((name) => input(name, OnnxDataType.Float, [1]));
  inputs.masks.forEach((name) => input(name, OnnxDataType.Float, ["mask_batch", 1, "mask_height", "mask_width"]));
  inputs.tokens.forEach((name) => input(name, floatType, ["batch", options.tokenCount, contextDim]));
  const tokens = options.tokens === "inputs" ? [...inputs.tokens] : splitContext(editor, context, options);
  const rowShape = editor.addInitializer("/instantid/ip_token_rows", int64Tensor([-1n, BigInt(contextDim)]));
  return inputs.scales.map((scale, i) => ({
    tokenRows: editor.add("Reshape", [tokens[i], rowShape], `/instantid/ip_tokens_${i}/rows`),
    tokenCount: options.tokenCount,
    scale,
    ...(options.masks ? { mask: inputs.masks[i] } : {}),
  }));
}

/** Cuts the context into text (what every original reader now gets) and each identity's tokens. */
function splitContext(editor: GraphEditor, context: OnnxValueInfo, options: ImageAdapterGraphOptions): string[] {
  const readers = [...editor.consumers(context.name)];
  const total = options.tokenCount * options.identities;
  const axes = editor.addInitializer("/instantid/context/axes", int64Tensor([1n]));
  const cut = (start: bigint, end: bigint, name: string) => {
    const starts = editor.addInitializer(`/instantid/context/${name}_start`, int64Tensor([start]));
    const ends = editor.addInitializer(`/instantid/context/${name}_end`, int64Tensor([end]));
    return editor.add("Slice", [context.name, starts, ends, axes], `/instantid/context/${name}`);
  };
  const text = cut(0n, BigInt(-total), "text");
  for (const reader of readers) editor.rewire(reader, context.name, text);
  const dim = context.type?.tensorType?.shape?.dim?.[1];
  if (dim?.dimValue !== undefined) dim.dimValue = toNumber(dim.dimValue) + total;
  return Array.from({ length: options.identities }, (_, i) => {
    const start = BigInt(-options.tokenCount * (options.identities - i));
    const end = i === options.identities - 1 ? 9223372036854775807n : start + BigInt(options.tokenCount);
    return cut(start, end, `ip_tokens_${i}`);
  });
}

function storeWeights(editor: GraphEditor, block: KeyedSite, layer: IpLayerWeights): BlockWeights {
  const dataType = editor.constantTensor(block.site.toK.input[1])!.dataType;
  const base = `instantid.${block.key}`;
  return {
    toK: editor.addInitializer(`${base}.to_k_ip.weight`, weightTensor(layer.toK, dataType)),
    toV: editor.addInitializer(`${base}.to_v_ip.weight`, weightTensor(layer.toV, dataType)),
  };
}

/** A PyTorch Linear weight [out, in] as it is (a view, no copy, for float32 UNets) in the UNet's weight type. */
function weightTensor(weight: Tensor, dataType: number | undefined): OnnxTensor {
  const dims = [...weight.shape];
  if (dataType !== OnnxDataType.Float16) return float32Tensor(weight.data, dims);
  const half = Uint16Array.from(weight.data, floatToHalf);
  return { dims, dataType: OnnxDataType.Float16, rawData: new Uint8Array(half.buffer) };
}
