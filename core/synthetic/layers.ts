import { intAttribute, intsAttribute } from "../onnx/graph.js";
import { RandomWeights } from "./random-weights.js";
import { scopePath, TorchGraph } from "./torch-graph.js";

/** What every layer builder needs: the graph being built and the weight source. */
export interface LayerContext {
  readonly graph: TorchGraph;
  readonly random: RandomWeights;
  readonly groups: number;
}

/** nn.Linear as torch exports it: MatMul with a [in, out] weight, then Add of the bias. */
export function linear(ctx: LayerContext, module: string, x: string, inDim: number, outDim: number, bias = true): string {
  const s = scopePath(module);
  const weight = ctx.graph.weight(`${module}.weight`, ctx.random.fanIn(inDim * outDim, inDim), [inDim, outDim]);
  const product = ctx.graph.node("MatMul", [x, weight], `${s}/MatMul`);
  if (!bias) return product;
  return ctx.graph.node("Add", [ctx.graph.weight(`${module}.bias`, ctx.random.bias(outDim), [outDim]), product], `${s}/Add`);
}

/** nn.Conv2d with "same" padding for odd kernels; `gain` scales the weights' spread. */
export function conv(ctx: LayerContext, module: string, x: string, inChannels: number, outChannels: number, kernel = 3, stride = 1, gain = 1): string {
  const fanIn = inChannels * kernel * kernel;
  const weight = ctx.graph.weight(`${module}.weight`, ctx.random.fanIn(outChannels * fanIn, fanIn, gain), [outChannels, inChannels, kernel, kernel]);
  const bias = ctx.graph.weight(`${module}.bias`, ctx.random.bias(outChannels), [outChannels]);
  const pad = (kernel - 1) / 2;
  return ctx.graph.node("Conv", [x, weight, bias], `${scopePath(module)}/Conv`, [
    intsAttribute("kernel_shape", [kernel, kernel]),
    intsAttribute("pads", [pad, pad, pad, pad]),
    intsAttribute("strides", [stride, stride]),
    intsAttribute("dilations", [1, 1]),
    intAttribute("group", 1),
  ]);
}

/** nn.GroupNorm the way torch exports it at opset 17: reshape to groups, InstanceNormalization, reshape back, affine. */
export function groupNorm(ctx: LayerContext, module: string, x: string, channels: number): string {
  const s = scopePath(module);
  const g = ctx.graph;
  const grouped = g.node("Reshape", [x, g.constant(s, [0n, BigInt(ctx.groups), -1n])], `${s}/Reshape`);
  const ones = g.weight(`${module}.instance_scale`, new Float32Array(ctx.groups).fill(1), [ctx.groups]);
  const zeros = g.weight(`${module}.instance_bias`, new Float32Array(ctx.groups), [ctx.groups]);
  const normed = g.node("InstanceNormalization", [grouped, ones, zeros], `${s}/InstanceNormalization`, [floatAttribute("epsilon", 1e-5)]);
  const back = g.node("Reshape", [normed, g.node("Shape", [x], `${s}/Shape`)], `${s}/Reshape_1`);
  const weight = g.weight(`${module}.weight`, new Float32Array(channels).fill(1), [channels, 1, 1]);
  const bias = g.weight(`${module}.bias`, new Float32Array(channels), [channels, 1, 1]);
  return g.node("Add", [g.node("Mul", [back, weight], `${s}/Mul`), bias], `${s}/Add`);
}

/** nn.LayerNorm over the last axis. */
export function layerNorm(ctx: LayerContext, module: string, x: string, channels: number): string {
  const weight = ctx.graph.weight(`${module}.weight`, new Float32Array(channels).fill(1), [channels]);
  const bias = ctx.graph.weight(`${module}.bias`, new Float32Array(channels), [channels]);
  return ctx.graph.node("LayerNormalization", [x, weight, bias], `${scopePath(module)}/LayerNormalization`, [intAttribute("axis", -1), floatAttribute("epsilon", 1e-5)]);
}

/** SiLU as x · sigmoid(x). */
export function silu(ctx: LayerContext, scope: string, x: string): string {
  const s = `${scopePath(scope)}/silu`;
  return ctx.graph.node("Mul", [x, ctx.graph.node("Sigmoid", [x], `${s}/Sigmoid`)], `${s}/Mul`);
}

/** Exact GELU, 0.5 · x · (1 + erf(x / √2)). */
export function gelu(ctx: LayerContext, module: string, x: string): string {
  const s = scopePath(module);
  const g = ctx.graph;
  const scalar = (name: string, value: number) => g.weight(`${module}.${name}`, Float32Array.of(value), []);
  const erf = g.node("Erf", [g.node("Div", [x, scalar("sqrt2", Math.SQRT2)], `${s}/Div`)], `${s}/Erf`);
  const onePlus = g.node("Add", [erf, scalar("one", 1)], `${s}/Add`);
  return g.node("Mul", [g.node("Mul", [x, onePlus], `${s}/Mul`), scalar("half", 0.5)], `${s}/Mul_1`);
}

/** Sinusoidal embedding of every value of `x` (flip_sin_to_cos, shift 0): a trailing axis of `dim` (cos, then sin). */
export function sinusoid(ctx: LayerContext, module: string, x: string, dim: number): string {
  const s = scopePath(module);
  const g = ctx.graph;
  const half = dim / 2;
  const freqs = Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half));
  const args = g.node("Mul", [g.node("Unsqueeze", [x, g.constant(s, [-1n])], `${s}/Unsqueeze`), g.weight(`${module}.freqs`, freqs, [half])], `${s}/Mul`);
  return g.node("Concat", [g.node("Cos", [args], `${s}/Cos`), g.node("Sin", [args], `${s}/Sin`)], `${s}/Concat`, [intAttribute("axis", -1)]);
}

/** A FLOAT attribute. */
export function floatAttribute(name: string, value: number) {
  return { name, type: 1, f: value };
}

/** How a synthetic graph keeps its weights. */
export interface GraphWeightsOptions {
  /**
   * Sizes only: every weight is an external-data reference into `externalFile` and no value is drawn, so
   * a graph of SDXL's full depth (about 10 GB of weights) is built in moments — for patching and graph
   * benchmarks, not for running. Write the side file with `graph.writeExternal` (a sparse file) if needed.
   */
  readonly virtual?: boolean;
  /** The external data file name (relative to the model) for virtual graphs; default "weights.data". */
  readonly externalFile?: string;
}

/** A fresh graph and layer context for `seed`, virtual or not. */
export function layerContext(seed: number, groups: number, options: GraphWeightsOptions = {}): LayerContext {
  const graph = new TorchGraph();
  if (options.virtual) {
    graph.virtual = true;
    graph.externalFile = options.externalFile ?? "weights.data";
  }
  return { graph, random: options.virtual ? new SizeOnlyWeights(seed) : new RandomWeights(seed), groups };
}

/** Draws nothing: virtual graphs record weight sizes only. */
class SizeOnlyWeights extends RandomWeights {
  override uniform(): Float32Array {
    return new Float32Array(0);
  }

  override gaussian(): Float32Array {
    return new Float32Array(0);
  }
}
