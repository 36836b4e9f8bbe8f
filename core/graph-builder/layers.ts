import { intAttribute, intsAttribute } from "../onnx/graph.js";
import { RandomLayerWeights, type LayerWeights } from "./layer-weights.js";
import { RandomWeights } from "./random-weights.js";
import { scopePath, TorchGraph } from "./torch-graph.js";

/** What every layer builder needs: the graph being built, where parameters come from, and GroupNorm's group count. */
export interface LayerContext {
  readonly graph: TorchGraph;
  readonly weights: LayerWeights;
  readonly groups: number;
}

/** nn.Linear as torch exports it: MatMul with a [in, out] weight, then Add of the bias. */
export function linear(ctx: LayerContext, module: string, x: string, inDim: number, outDim: number, bias = true): string {
  const s = scopePath(module);
  const params = ctx.weights.linear(ctx.graph, module, inDim, outDim, bias);
  const product = ctx.graph.node("MatMul", [x, params.weight], `${s}/MatMul`);
  if (!params.bias) return product;
  return ctx.graph.node("Add", [params.bias, product], `${s}/Add`);
}

/** Zero padding of a convolution as ONNX orders it: [top, left, bottom, right]. */
export type ConvPads = readonly [number, number, number, number];

/** nn.Conv2d, "same" padding for odd kernels unless `pads` says otherwise; `gain` scales random weights' spread. */
export function conv(
  ctx: LayerContext,
  module: string,
  x: string,
  inChannels: number,
  outChannels: number,
  kernel = 3,
  stride = 1,
  gain = 1,
  pads?: ConvPads,
): string {
  const params = ctx.weights.conv(ctx.graph, module, inChannels, outChannels, kernel, gain);
  const pad = (kernel - 1) / 2;
  return ctx.graph.node("Conv", [x, params.weight, params.bias], `${scopePath(module)}/Conv`, [
    intsAttribute("kernel_shape", [kernel, kernel]),
    intsAttribute("pads", [...(pads ?? [pad, pad, pad, pad])]),
    intsAttribute("strides", [stride, stride]),
    intsAttribute("dilations", [1, 1]),
    intAttribute("group", 1),
  ]);
}

/** nn.GroupNorm the way torch exports it at opset 17: reshape to groups, InstanceNormalization, reshape back, affine. */
export function groupNorm(ctx: LayerContext, module: string, x: string, channels: number, eps = 1e-5): string {
  const s = scopePath(module);
  const g = ctx.graph;
  const grouped = g.node("Reshape", [x, g.constant(s, [0n, BigInt(ctx.groups), -1n])], `${s}/Reshape`);
  const ones = g.weight(`${module}.instance_scale`, new Float32Array(ctx.groups).fill(1), [ctx.groups]);
  const zeros = g.weight(`${module}.instance_bias`, new Float32Array(ctx.groups), [ctx.groups]);
  const normed = g.node("InstanceNormalization", [grouped, ones, zeros], `${s}/InstanceNormalization`, [floatAttribute("epsilon", eps)]);
  const back = g.node("Reshape", [normed, g.node("Shape", [x], `${s}/Shape`)], `${s}/Reshape_1`);
  const affine = ctx.weights.affine(g, module, channels, [channels, 1, 1]);
  return g.node("Add", [g.node("Mul", [back, affine.weight], `${s}/Mul`), affine.bias], `${s}/Add`);
}

/** nn.LayerNorm over the last axis. */
export function layerNorm(ctx: LayerContext, module: string, x: string, channels: number, eps = 1e-5): string {
  const affine = ctx.weights.affine(ctx.graph, module, channels, [channels]);
  return ctx.graph.node("LayerNormalization", [x, affine.weight, affine.bias], `${scopePath(module)}/LayerNormalization`, [
    intAttribute("axis", -1),
    floatAttribute("epsilon", eps),
  ]);
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

/** diffusers' `Timesteps` options: cos before sin (`flip_sin_to_cos`) and the frequency denominator's shift (`freq_shift`). */
export interface SinusoidOptions {
  readonly flipSinToCos: boolean;
  readonly freqShift: number;
}

/** Sinusoidal embedding of every value of `x` (diffusers' `get_timestep_embedding`, max period 10000): a trailing axis of even `dim`. */
export function sinusoid(
  ctx: LayerContext,
  module: string,
  x: string,
  dim: number,
  options: SinusoidOptions = { flipSinToCos: true, freqShift: 0 },
): string {
  const s = scopePath(module);
  const g = ctx.graph;
  const half = dim / 2;
  const freqs = Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / (half - options.freqShift)));
  const args = g.node(
    "Mul",
    [g.node("Unsqueeze", [x, g.constant(s, [-1n])], `${s}/Unsqueeze`), g.weight(`${module}.freqs`, freqs, [half])],
    `${s}/Mul`,
  );
  const [first, second] = options.flipSinToCos ? (["Cos", "Sin"] as const) : (["Sin", "Cos"] as const);
  return g.node("Concat", [g.node(first, [args], `${s}/${first}`), g.node(second, [args], `${s}/${second}`)], `${s}/Concat`, [
    intAttribute("axis", -1),
  ]);
}

/** GEGLU feed-forward input (diffusers' default `activation_fn`): `proj` to 2·inner, then first half · GELU(second half). */
export function geglu(ctx: LayerContext, module: string, x: string, dim: number, inner: number): string {
  const s = scopePath(module);
  const g = ctx.graph;
  const projected = linear(ctx, `${module}.proj`, x, dim, 2 * inner);
  const half = (from: number, to: number, name: string) =>
    g.node("Slice", [projected, g.constant(s, [BigInt(from)]), g.constant(s, [BigInt(to)]), g.constant(s, [-1n])], `${s}/${name}`);
  return g.node("Mul", [half(0, inner, "Slice"), gelu(ctx, module, half(inner, 2 * inner, "Slice_1"))], `${s}/Mul_gate`);
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

/** A fresh graph and layer context with random weights for `seed`, virtual or not. */
export function layerContext(seed: number, groups: number, options: GraphWeightsOptions = {}): LayerContext {
  const graph = new TorchGraph();
  if (options.virtual) {
    graph.virtual = true;
    graph.externalFile = options.externalFile ?? "weights.data";
  }
  return { graph, weights: new RandomLayerWeights(options.virtual ? new SizeOnlyWeights(seed) : new RandomWeights(seed)), groups };
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
