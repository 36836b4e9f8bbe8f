import { conv, silu, type LayerContext } from "./layers.js";
import type { TorchGraph } from "./torch-graph.js";

/**
 * diffusers' ControlNetConditioningEmbedding: conv_in to `widths[0]`, then per step a 3×3 conv and a stride-2
 * 3×3 conv to the next width (SiLU after each), then conv_out to `outChannels`: the image shrinks by
 * 2^(widths.length − 1) (SDXL's 16, 32, 96, 256: 8×, to the latent grid).
 */
export function conditioningEmbedding(
  ctx: LayerContext,
  image: string,
  inChannels: number,
  widths: readonly number[],
  outChannels: number,
): string {
  let h = silu(ctx, "controlnet_cond_embedding.conv_in", conv(ctx, "controlnet_cond_embedding.conv_in", image, inChannels, widths[0]));
  for (let i = 0; i < widths.length - 1; i++) {
    const block = `controlnet_cond_embedding.blocks.${2 * i}`;
    h = silu(ctx, block, conv(ctx, block, h, widths[i], widths[i]));
    const down = `controlnet_cond_embedding.blocks.${2 * i + 1}`;
    h = silu(ctx, down, conv(ctx, down, h, widths[i], widths[i + 1], 3, 2));
  }
  return conv(ctx, "controlnet_cond_embedding.conv_out", h, widths[widths.length - 1], outChannels);
}

/** Makes `tensor` the graph output `name` (through an Identity, as exporters do). */
export function emitOutput(graph: TorchGraph, tensor: string, name: string, dims: (number | string)[]): void {
  graph.nodes.push({ input: [tensor], output: [name], name: `/Identity_${name}`, opType: "Identity" });
  graph.output(name, dims);
}
