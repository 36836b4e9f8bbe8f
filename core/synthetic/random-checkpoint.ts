import { mkdir, open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RandomWeights } from "../graph-builder/random-weights.js";
import { controlNetArchitecture } from "../convert/architecture.js";
import { CheckpointLayerWeights, type PlannedTensor } from "../convert/checkpoint-weights.js";
import { parseControlNetConfig } from "../convert/config.js";
import { floatsToHalves } from "../convert/tensor-bytes.js";
import { buildControlNetGraph } from "../convert/graph.js";

/** InstantX's IdentityNet config (`ControlNetModel/config.json`, diffusers' SDXL ControlNet): 2.5 GB of fp16 weights. */
export const SDXL_CONTROLNET_CONFIG = {
  _class_name: "ControlNetModel",
  act_fn: "silu",
  addition_embed_type: "text_time",
  addition_time_embed_dim: 256,
  attention_head_dim: [5, 10, 20],
  block_out_channels: [320, 640, 1280],
  conditioning_channels: 3,
  conditioning_embedding_out_channels: [16, 32, 96, 256],
  controlnet_conditioning_channel_order: "rgb",
  cross_attention_dim: 2048,
  down_block_types: ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
  flip_sin_to_cos: true,
  freq_shift: 0,
  global_pool_conditions: false,
  in_channels: 4,
  layers_per_block: 2,
  mid_block_scale_factor: 1,
  norm_eps: 1e-5,
  norm_num_groups: 32,
  projection_class_embeddings_input_dim: 2816,
  resnet_time_scale_shift: "default",
  transformer_layers_per_block: [1, 2, 10],
  upcast_attention: null,
  use_linear_projection: true,
} as const;

/** Options of {@link writeRandomControlNet}. */
export interface RandomControlNetOptions {
  /** Element type in the safetensors file(s) (default F16, as InstantX publishes). */
  readonly dtype?: "F16" | "F32";
  /** More than 1: shards plus `diffusion_pytorch_model.safetensors.index.json`, as diffusers saves large models. */
  readonly shards?: number;
  readonly seed?: number;
}

/**
 * Writes a diffusers ControlNet folder with seeded random weights: `config.json` as given and every tensor the
 * config implies, in diffusers' layout and names — for tests and benchmarks of the converter. Tensors are
 * drawn and written one at a time, so even SDXL's size needs little memory. Returns the tensors written.
 */
export async function writeRandomControlNet(
  dir: string,
  config: Record<string, unknown>,
  options: RandomControlNetOptions = {},
): Promise<PlannedTensor[]> {
  const plan = tensorsOf(config, dir);
  const dtype = options.dtype ?? "F16";
  const shards = Math.max(1, options.shards ?? 1);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "config.json"), JSON.stringify(config, null, 2));
  const seed = options.seed ?? 7;
  const perShard = Math.ceil(plan.length / shards);
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < shards; s++) {
    const name =
      shards === 1
        ? "diffusion_pytorch_model.safetensors"
        : `diffusion_pytorch_model-${String(s + 1).padStart(5, "0")}-of-${String(shards).padStart(5, "0")}.safetensors`;
    const part = plan.slice(s * perShard, (s + 1) * perShard);
    for (const t of part) weightMap[t.key] = name;
    await writeShard(join(dir, name), part, dtype, seed);
  }
  if (shards > 1) {
    const totalSize = plan.reduce((sum, t) => sum + count(t.shape) * (dtype === "F16" ? 2 : 4), 0);
    await writeFile(
      join(dir, "diffusion_pytorch_model.safetensors.index.json"),
      JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2),
    );
  }
  return plan;
}

function tensorsOf(config: Record<string, unknown>, source: string): PlannedTensor[] {
  const weights = new CheckpointLayerWeights("fp32", "unused");
  buildControlNetGraph(controlNetArchitecture(parseControlNetConfig(config, source), source), weights);
  return weights.plan;
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** One safetensors file, header first (keys sorted, as the safetensors library writes them), then each tensor as it is drawn. */
async function writeShard(path: string, tensors: readonly PlannedTensor[], dtype: "F16" | "F32", seed: number): Promise<void> {
  const sorted = [...tensors].sort((a, b) => (a.key < b.key ? -1 : 1));
  const bytesPer = dtype === "F16" ? 2 : 4;
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  let offset = 0;
  for (const t of sorted) {
    const length = count(t.shape) * bytesPer;
    header[t.key] = { dtype, shape: t.shape, data_offsets: [offset, offset + length] };
    offset += length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const file = await open(path, "w");
  try {
    const prefix = Buffer.alloc(8 + Buffer.byteLength(json));
    prefix.writeBigUInt64LE(BigInt(Buffer.byteLength(json)), 0);
    prefix.write(json, 8, "utf8");
    await file.write(prefix);
    for (const t of sorted) {
      const values = draw(new RandomWeights(seed ^ keyHash(t.key)), t);
      await file.write(new Uint8Array(dtype === "F32" ? values.buffer : floatsToHalves(values).buffer));
    }
  } finally {
    await file.close();
  }
}

// Each tensor draws from its own stream, so its values do not depend on how the file is split or ordered.
function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Weights with unit-variance fan-in, norms near 1, small biases: a random network whose activations stay finite. */
function draw(random: RandomWeights, t: PlannedTensor): Float32Array {
  const n = count(t.shape);
  if (t.shape.length >= 2) return random.fanIn(n, n / t.shape[0]);
  if (t.key.endsWith(".bias")) return random.uniform(n, 0.1);
  const values = random.uniform(n, 0.2);
  for (let i = 0; i < n; i++) values[i] += 1;
  return values;
}
