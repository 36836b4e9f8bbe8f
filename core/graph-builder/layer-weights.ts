import type { RandomWeights } from "./random-weights.js";
import type { GraphOps } from "./graph-ops.js";

/** Initializer names of a Linear layer (weight laid out [in, out] for MatMul). */
export interface LinearParams {
  readonly weight: string;
  readonly bias?: string;
}

/** Initializer names of a Conv2d layer (weight [out, in, k, k], bias [out]). */
export interface ConvParams {
  readonly weight: string;
  readonly bias: string;
}

/** Initializer names of a norm's affine parameters. */
export interface AffineParams {
  readonly weight: string;
  readonly bias: string;
}

/** Initializer names of a diffusers `Attention`'s projections (MatMul layout [in, out]). */
export interface AttentionParams {
  readonly toQ: string;
  readonly toK: string;
  readonly toV: string;
  readonly toOut: string;
  readonly toOutBias: string;
}

/**
 * Where a layer's parameters come from: drawn at random (synthetic models) or read from a checkpoint
 * (conversion). Each method registers the parameters of one module, named as diffusers' state dict
 * names them, and returns the graph values the layer's nodes read.
 */
export interface LayerWeights {
  linear(graph: GraphOps, module: string, inDim: number, outDim: number, bias: boolean): LinearParams;
  conv(graph: GraphOps, module: string, inChannels: number, outChannels: number, kernel: number, gain: number): ConvParams;
  /** GroupNorm's (dims [C, 1, 1]) or LayerNorm's (dims [C]) weight and bias. */
  affine(graph: GraphOps, module: string, channels: number, dims: number[]): AffineParams;
  attention(graph: GraphOps, module: string, width: number, contextDim: number): AttentionParams;
}

/** Seeded random parameters (norms start at identity), drawn in a fixed order so a seed gives the same model. */
export class RandomLayerWeights implements LayerWeights {
  constructor(private readonly random: RandomWeights) {}

  linear(graph: GraphOps, module: string, inDim: number, outDim: number, bias: boolean): LinearParams {
    const weight = graph.weight(`${module}.weight`, this.random.fanIn(inDim * outDim, inDim), [inDim, outDim]);
    if (!bias) return { weight };
    return { weight, bias: graph.weight(`${module}.bias`, this.random.bias(outDim), [outDim]) };
  }

  conv(graph: GraphOps, module: string, inChannels: number, outChannels: number, kernel: number, gain: number): ConvParams {
    const fanIn = inChannels * kernel * kernel;
    const weight = graph.weight(`${module}.weight`, this.random.fanIn(outChannels * fanIn, fanIn, gain), [
      outChannels,
      inChannels,
      kernel,
      kernel,
    ]);
    return { weight, bias: graph.weight(`${module}.bias`, this.random.bias(outChannels), [outChannels]) };
  }

  affine(graph: GraphOps, module: string, channels: number, dims: number[]): AffineParams {
    return {
      weight: graph.weight(`${module}.weight`, new Float32Array(channels).fill(1), dims),
      bias: graph.weight(`${module}.bias`, new Float32Array(channels), dims),
    };
  }

  attention(graph: GraphOps, module: string, width: number, contextDim: number): AttentionParams {
    // Drawn before any is registered, in this order, as the synthetic models always have been.
    const toQ = this.random.fanIn(width * width, width);
    const toK = this.random.fanIn(width * contextDim, contextDim);
    const toV = this.random.fanIn(width * contextDim, contextDim);
    const toOut = this.random.fanIn(width * width, width);
    const toOutBias = this.random.bias(width);
    return {
      toQ: graph.linear(`${module}.to_q.weight`, toQ, width, width),
      toK: graph.linear(`${module}.to_k.weight`, toK, width, contextDim),
      toV: graph.linear(`${module}.to_v.weight`, toV, width, contextDim),
      toOut: graph.linear(`${module}.to_out.0.weight`, toOut, width, width),
      toOutBias: graph.weight(`${module}.to_out.0.bias`, toOutBias, [width]),
    };
  }
}
