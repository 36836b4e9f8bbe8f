import { float32Tensor, intAttribute } from "../../core/onnx/graph.js";
import { TorchGraph } from "../helpers/torch-graph.js";

/** Transformer depth of each attention in SDXL's down_blocks.1, down_blocks.2, mid_block, up_blocks.0, up_blocks.1. */
export const SDXL_DEPTHS = [2, 10, 10, 10, 2] as const;

/** Options of {@link buildSdxlLikeUnet}. */
export interface SdxlLikeOptions {
  /** Transformer blocks per attention, per section (SDXL: {@link SDXL_DEPTHS}). */
  readonly depths: readonly number[];
  /** Tokens at the 640-wide level ((latent/2)²); the 1280-wide level has a quarter. */
  readonly tokens: number;
  /** Weights in this external data file; virtual: sizes only (for patching without running). */
  readonly externalFile: string;
  readonly virtual: boolean;
}

/**
 * The transformer part of an SDXL UNet, as torch exports it: attn1/attn2/GEGLU blocks at SDXL's real widths
 * (640 with 10 heads, 1280 with 20) and depths, module-scoped node names, context width 2048. Stages are linked
 * by token-merging MatMuls instead of resnets and convolutions, so the image attention's share of a step here
 * is larger than in the real UNet (a conservative stand-in). Inputs: hidden_states [B, tokens, 640],
 * encoder_hidden_states [B, 77, 2048]; output out_sample [B, tokens, 640].
 */
export function buildSdxlLikeUnet(options: SdxlLikeOptions): { graph: TorchGraph; widths: number[] } {
  const g = new TorchGraph();
  g.externalFile = options.externalFile;
  g.virtual = options.virtual;
  let seed = 7;
  const random = (n: number) => {
    if (options.virtual) return new Float32Array(0);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296 - 0.5) * 0.05;
    return data;
  };
  let x = g.input("hidden_states", ["batch", options.tokens, 640]);
  const context = g.input("encoder_hidden_states", ["batch", 77, 2048]);
  const crossWidths: { module: string; width: number }[] = [];

  const transformer = (scope: string, width: number, depth: number) => {
    x = g.node("MatMul", [x, g.weight(`${scope}.proj_in.weight`, random(width * width), [width, width])], `/${slashes(scope)}/proj_in/MatMul`);
    for (let t = 0; t < depth; t++) {
      const block = `${scope}.transformer_blocks.${t}`;
      const s = `/${slashes(block)}`;
      const attention = (name: string, kv: string | undefined, kvDim: number) =>
        g.attention(`${block}.${name}`, layerNorm(`${block}.${name === "attn1" ? "norm1" : "norm2"}`, width), kv, width, kvDim, width / 64, {
          toQ: random(width * width), toK: random(width * kvDim), toV: random(width * kvDim), toOut: random(width * width), toOutBias: random(width),
        });
      x = g.node("Add", [attention("attn1", undefined, width), x], `${s}/Add`);
      x = g.node("Add", [attention("attn2", context, 2048), x], `${s}/Add_1`);
      crossWidths.push({ module: `${block}.attn2`, width });
      x = g.node("Add", [feedForward(block, layerNorm(`${block}.norm3`, width), width), x], `${s}/Add_2`);
    }
    x = g.node("MatMul", [x, g.weight(`${scope}.proj_out.weight`, random(width * width), [width, width])], `/${slashes(scope)}/proj_out/MatMul`);
  };
  const layerNorm = (scope: string, width: number) =>
    g.node("LayerNormalization", [x, g.weight(`${scope}.weight`, random(width), [width]), g.weight(`${scope}.bias`, random(width), [width])], `/${slashes(scope)}/LayerNormalization`, [intAttribute("axis", -1)]);
  const feedForward = (block: string, input: string, width: number) => {
    const s = `/${slashes(block)}/ff`;
    const projected = g.node("MatMul", [input, g.weight(`${block}.ff.net.0.proj.weight`, random(width * 8 * width), [width, 8 * width])], `${s}/net.0/proj/MatMul`);
    const half = (start: number, name: string) =>
      g.node("Slice", [projected, g.constant(s, [BigInt(start)]), g.constant(s, [BigInt(start + 4 * width)]), g.constant(s, [-1n])], `${s}/${name}`);
    const gate = half(4 * width, "Slice_1");
    const factor = constantScalar(`${block}.ff.gelu_factor`, 1.702);
    const gelu = g.node("Mul", [gate, g.node("Sigmoid", [g.node("Mul", [gate, factor], `${s}/Mul`)], `${s}/Sigmoid`)], `${s}/Mul_1`);
    const hidden = g.node("Mul", [half(0, "Slice"), gelu], `${s}/Mul_2`);
    return g.node("MatMul", [hidden, g.weight(`${block}.ff.net.2.weight`, random(4 * width * width), [4 * width, width])], `${s}/net.2/MatMul`);
  };
  const constantScalar = (name: string, value: number) => {
    g.initializers.push({ ...float32Tensor(Float32Array.of(value), []), name });
    return name;
  };
  const resample = (name: string, from: number, to: number, factor: number) => {
    const reshape = (target: number) => g.node("Reshape", [x, g.constant(`/${name}`, [0n, -1n, BigInt(target)])], `/${name}/Reshape_${target}`);
    if (factor < 1) x = reshape(from * 4);
    x = g.node("MatMul", [x, g.weight(`${name}.weight`, random((factor < 1 ? from * 4 : from) * (factor < 1 ? to : to * 4)), [factor < 1 ? from * 4 : from, factor < 1 ? to : to * 4])], `/${name}/MatMul`);
    if (factor > 1) x = reshape(to);
  };

  const [d1, d2, dMid, dUp0, dUp1] = options.depths;
  for (let a = 0; a < 2; a++) transformer(`down_blocks.1.attentions.${a}`, 640, d1);
  resample("down_blocks.1.downsamplers.0", 640, 1280, 0.5);
  for (let a = 0; a < 2; a++) transformer(`down_blocks.2.attentions.${a}`, 1280, d2);
  transformer("mid_block.attentions.0", 1280, dMid);
  for (let a = 0; a < 3; a++) transformer(`up_blocks.0.attentions.${a}`, 1280, dUp0);
  resample("up_blocks.0.upsamplers.0", 1280, 640, 2);
  for (let a = 0; a < 3; a++) transformer(`up_blocks.1.attentions.${a}`, 640, dUp1);
  g.nodes.push({ input: [x], output: ["out_sample"], name: "/out", opType: "Identity" });
  g.output("out_sample", ["batch", options.tokens, 640]);
  const rank = (m: string) => (m.startsWith("down") ? 0 : m.startsWith("up") ? 1 : 2);
  const widths = [...crossWidths].sort((a, b) => rank(a.module) - rank(b.module)).map((c) => c.width);
  return { graph: g, widths };
}

function slashes(scope: string): string {
  return scope.replaceAll(".", "/").replace(/\/(\d+)/g, ".$1");
}
