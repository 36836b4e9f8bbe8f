/** One down/up/mid block of a UNet as far as cross-attention is concerned. */
export interface UNetBlockDescription {
  /** Transformer2DModel count (`attentions.0`, `attentions.1`, ...); 0 for blocks without attention. */
  readonly attentions: number;
  /** BasicTransformerBlocks per attention. */
  readonly transformerBlocks: number;
  /** Channel width of the block's attention layers. */
  readonly width: number;
  /** Attention heads of the block's layers. */
  readonly heads: number;
}

/** The attention layout of a diffusers UNet2DConditionModel: its blocks in module order. */
export interface UNetDescription {
  readonly downBlocks: readonly UNetBlockDescription[];
  readonly upBlocks: readonly UNetBlockDescription[];
  readonly midBlock: UNetBlockDescription;
}

/** One cross-attention layer (`attn2`) and the processor key InstantID's checkpoint stores it under. */
export interface CrossAttentionSite {
  /** Position of this processor in diffusers' `unet.attn_processors` (odd: self-attention comes first). */
  readonly key: number;
  /** Module path, e.g. `down_blocks.1.attentions.0.transformer_blocks.0.attn2`. */
  readonly modulePath: string;
  readonly width: number;
  readonly heads: number;
}

const none: UNetBlockDescription = { attentions: 0, transformerBlocks: 0, width: 0, heads: 0 };

/** SDXL's UNet: 70 cross-attention layers (down 1: 4 × 640, down 2: 20 × 1280, up 0: 30 × 1280, up 1: 6 × 640, mid: 10 × 1280). */
export const SDXL_UNET: UNetDescription = {
  downBlocks: [
    none,
    { attentions: 2, transformerBlocks: 2, width: 640, heads: 10 },
    { attentions: 2, transformerBlocks: 10, width: 1280, heads: 20 },
  ],
  upBlocks: [
    { attentions: 3, transformerBlocks: 10, width: 1280, heads: 20 },
    { attentions: 3, transformerBlocks: 2, width: 640, heads: 10 },
    none,
  ],
  midBlock: { attentions: 1, transformerBlocks: 10, width: 1280, heads: 20 },
};

/**
 * Every cross-attention site of a UNet with its processor key, in diffusers' processor order: down
 * blocks, then up blocks, then the mid block (module registration order); within a transformer block
 * attn1 takes key 2n and attn2 key 2n + 1.
 */
export function crossAttentionSites(unet: UNetDescription): CrossAttentionSite[] {
  const sites: CrossAttentionSite[] = [];
  let processor = 0;
  const visit = (prefix: string, block: UNetBlockDescription) => {
    for (let a = 0; a < block.attentions; a++) {
      for (let t = 0; t < block.transformerBlocks; t++) {
        const path = `${prefix}.attentions.${a}.transformer_blocks.${t}`;
        sites.push({ key: processor + 1, modulePath: `${path}.attn2`, width: block.width, heads: block.heads });
        processor += 2;
      }
    }
  };
  unet.downBlocks.forEach((block, i) => visit(`down_blocks.${i}`, block));
  unet.upBlocks.forEach((block, i) => visit(`up_blocks.${i}`, block));
  visit("mid_block", unet.midBlock);
  return sites;
}
