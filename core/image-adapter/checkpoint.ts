import type { ImageAdapterWeights, IpLayerWeights } from "./weights.js";
import { ErrorCode, InstantIdError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import type { CheckpointFile } from "../checkpoint/checkpoint-file.js";
import { openCheckpoint } from "../checkpoint/open-checkpoint.js";

const IMAGE_PROJ = "image_proj.";
const IP_ADAPTER = "ip_adapter.";
const IP_KEY = /^(\d+)\.to_([kv])_ip\.weight$/;

/**
 * Loads an Image Adapter checkpoint (InstantID's `ip-adapter.bin`, its float16 variant, or a safetensors
 * file with `image_proj.` / `ip_adapter.` prefixes). Tensors are read one at a time from their offsets
 * and widened to float32, so peak memory stays near the float32 size of the weights.
 *
 * @example
 * const weights = await loadImageAdapter("models/ip-adapter.bin");
 * weights.ipLayers.get(1)?.toK.shape; // [640, 2048]
 * @throws InstantIdError UNSAFE_CHECKPOINT when the pickle names a global other than a state dict's,
 *   MODEL_INVALID when the Resampler or the ip_adapter layers are missing.
 */
export async function loadImageAdapter(path: string): Promise<ImageAdapterWeights> {
  const checkpoint = await openCheckpoint(path);
  try {
    return await readImageAdapter(checkpoint);
  } finally {
    await checkpoint.close();
  }
}

/** Reads the Image Adapter tensors of an opened checkpoint. */
export async function readImageAdapter(checkpoint: CheckpointFile): Promise<ImageAdapterWeights> {
  const imageProj = new Map<string, Tensor>();
  const halves = new Map<number, { toK?: Tensor; toV?: Tensor }>();
  const wanted = checkpoint
    .names()
    .filter((name) => name.startsWith(IMAGE_PROJ) || (name.startsWith(IP_ADAPTER) && IP_KEY.test(name.slice(IP_ADAPTER.length))));
  const tensors = await readConcurrently(checkpoint, wanted);
  wanted.forEach((name, i) => {
    if (name.startsWith(IMAGE_PROJ)) {
      imageProj.set(name.slice(IMAGE_PROJ.length), tensors[i]);
      return;
    }
    const match = IP_KEY.exec(name.slice(IP_ADAPTER.length))!;
    const key = Number(match[1]);
    const layer = halves.get(key) ?? {};
    layer[match[2] === "k" ? "toK" : "toV"] = tensors[i];
    halves.set(key, layer);
  });
  return { imageProj, ipLayers: completeLayers(halves, imageProj, checkpoint.path) };
}

/** Reads in flight at once: overlapping disk reads with page faults of fresh memory nearly halves load time. */
const CONCURRENT_READS = 4;

async function readConcurrently(checkpoint: CheckpointFile, names: readonly string[]): Promise<Tensor[]> {
  const out = new Array<Tensor>(names.length);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      out[i] = await checkpoint.tensor(names[i]);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_READS }, worker));
  return out;
}

function completeLayers(
  halves: Map<number, { toK?: Tensor; toV?: Tensor }>,
  imageProj: Map<string, Tensor>,
  path: string,
): Map<number, IpLayerWeights> {
  const missing = (what: string) =>
    new InstantIdError(
      ErrorCode.ModelInvalid,
      `${path} is not an Image Adapter checkpoint: ${what}. Expected InstantID's ip-adapter.bin (or a safetensors file with ` +
        `image_proj. and ip_adapter. prefixes).`,
      {
        details: { path },
      },
    );
  if (!imageProj.has("latents")) throw missing("it has no image_proj.latents (the Resampler)");
  if (halves.size === 0) throw missing("it has no ip_adapter.<k>.to_k_ip.weight tensors");
  const layers = new Map<number, IpLayerWeights>();
  for (const key of [...halves.keys()].sort((a, b) => a - b)) {
    const { toK, toV } = halves.get(key)!;
    if (!toK || !toV) throw missing(`layer ${key} lacks its ${toK ? "to_v_ip" : "to_k_ip"} weight`);
    layers.set(key, { toK, toV });
  }
  return layers;
}
