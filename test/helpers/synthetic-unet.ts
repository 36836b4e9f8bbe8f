import * as ort from "onnxruntime-node";
import type { ImageAdapterWeights } from "../../core/image-adapter/weights.js";
import { loadSession, runSession } from "../../core/runtime/session.js";
import { syntheticImageAdapter } from "../../core/synthetic/image-adapter.js";
import { downSkips, TINY_UNET, type SyntheticUnetConfig } from "../../core/synthetic/unet-config.js";

/**
 * TINY_UNET's structure (nine skips, 11 cross-attention blocks) at the smallest widths: 1/20 of its weights, for tests that build many
 * variants.
 */
export const MICRO_UNET: SyntheticUnetConfig = {
  ...TINY_UNET,
  channels: [16, 16, 32],
  headDim: 8,
  groups: 4,
  contextDim: 32,
  pooledDim: 16,
  timeIdDim: 4,
};

/** Deterministic values in [-1, 1) (no Math.random: failures must reproduce). */
export function wave(length: number, seed: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin(i * 0.731 + seed * 1.37) * Math.cos(i * 0.173 + seed));
}

const f32 = (data: Float32Array, dims: number[]) => new ort.Tensor("float32", data, dims);

/** The usual SDXL UNet feeds for one row of a synthetic UNet at latent size h × w (timestep as the graph declares it). */
export function unetFeeds(
  config: SyntheticUnetConfig,
  h: number,
  w: number,
  timestep: "float" | "int64" = "float",
): Record<string, ort.Tensor> {
  return {
    sample: f32(wave(4 * h * w, 1), [1, 4, h, w]),
    timestep: timestep === "int64" ? new ort.Tensor("int64", BigInt64Array.of(501n), [1]) : f32(Float32Array.of(501), [1]),
    encoder_hidden_states: f32(wave(77 * config.contextDim, 2), [1, 77, config.contextDim]),
    text_embeds: f32(wave(config.pooledDim, 3), [1, config.pooledDim]),
    time_ids: f32(Float32Array.of(h * 8, w * 8, 0, 0, h * 8, w * 8), [1, 6]),
  };
}

/** Non-zero ControlNet residuals for every skip and the mid block, named as diffusers names the UNet's arguments. */
export function residualFeeds(config: SyntheticUnetConfig, h: number, w: number): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  downSkips(config).forEach((skip, i) => {
    const dims = [1, skip.channels, Math.ceil(h / skip.scale), Math.ceil(w / skip.scale)];
    feeds[`down_block_additional_residual_${i}`] = f32(
      wave(
        dims.reduce((a, b) => a * b),
        10 + i,
      ),
      dims,
    );
  });
  const mid = [1, config.channels[2], Math.ceil(h / 4), Math.ceil(w / 4)];
  feeds.mid_block_additional_residual = f32(
    wave(
      mid.reduce((a, b) => a * b),
      99,
    ),
    mid,
  );
  return feeds;
}

/** Image-attention feeds for one identity: 16 tokens and a scale. */
export function imageAttentionFeeds(config: SyntheticUnetConfig, scale: number): Record<string, ort.Tensor> {
  return { ip_tokens_0: f32(wave(16 * config.contextDim, 7), [1, 16, config.contextDim]), ip_scale_0: f32(Float32Array.of(scale), [1]) };
}

/** The synthetic Image Adapter's projections for `config`, as loadImageAdapter returns them (no Resampler). */
export function syntheticAdapterWeights(config: SyntheticUnetConfig): ImageAdapterWeights {
  const dict = syntheticImageAdapter(config).ip_adapter;
  const keys = [...new Set(Object.keys(dict).map((k) => Number(k.split(".")[0])))];
  return {
    imageProj: new Map(),
    ipLayers: new Map(keys.map((k) => [k, { toK: dict[`${k}.to_k_ip.weight`], toV: dict[`${k}.to_v_ip.weight`] }])),
  };
}

/** Runs a model (bytes or path) once and returns its `out_sample`. */
export async function outSample(model: Uint8Array | string, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  return (await outSamples(model, [feeds]))[0];
}

/** Runs a model once per set of feeds in one session (opening a session costs far more than a run), returning each `out_sample`. */
export async function outSamples(model: Uint8Array | string, feedSets: readonly Record<string, ort.Tensor>[]): Promise<Float32Array[]> {
  const session = await loadSession(model, { what: "UNet" });
  try {
    const outputs: Float32Array[] = [];
    for (const feeds of feedSets) outputs.push((await runSession(session, feeds, "UNet")).out_sample.data as Float32Array);
    return outputs;
  } finally {
    await session.release();
  }
}
