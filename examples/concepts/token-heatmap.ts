// The 16 face tokens as a heat map: one band per token, its channels folded into rows.
import { computeImageTokens, Resampler, type ImageTokens, type RgbImage } from "../../core/index.js";
import { RandomWeights, syntheticImageAdapter, TINY_UNET } from "../../core/testing.js";

/** Seed of the sample embedding: a seeded random 512-d vector about as long as InsightFace's raw ones (norm ≈ 22). */
const EMBEDDING_SEED = 7;
const FOLD = 16; // rows each token's channels are folded into (2048 = 16 × 128)
const SCALE = 2; // pixels per value, each way
const GAP = 4;
const PANEL_GAP = 16;
const CLIP = 3; // tokens end in a LayerNorm, so ±3 covers nearly all values

/** Diverging colours: blue below zero, white at zero, red above; quantised to 9 levels per side. */
function color(value: number): [number, number, number] {
  const t = Math.round(Math.max(-1, Math.min(1, value / CLIP)) * 9) / 9;
  const fade = Math.round(255 * (1 - Math.abs(t)));
  return t >= 0 ? [255, fade, fade] : [fade, fade, 255];
}

function drawPanel(image: RgbImage, values: Float32Array, count: number, width: number, left: number): void {
  const columns = width / FOLD;
  for (let token = 0; token < count; token++) {
    for (let c = 0; c < width; c++) {
      const rgb = color(values[token * width + c]);
      const x0 = left + (c % columns) * SCALE;
      const y0 = token * (FOLD * SCALE + GAP) + Math.floor(c / columns) * SCALE;
      for (let dy = 0; dy < SCALE; dy++) for (let dx = 0; dx < SCALE; dx++) image.data.set(rgb, ((y0 + dy) * image.width + x0 + dx) * 3);
    }
  }
}

/**
 * Three panels side by side: Resampler(face embedding), the tokens the image branch attends to;
 * Resampler(zeros), the unconditional tokens classifier-free guidance subtracts; and their difference,
 * what the identity adds. Each token is a band of FOLD rows; gaps are white.
 */
export function tokenHeatmap(tokens: ImageTokens): RgbImage {
  const [, count, width] = tokens.cond.shape;
  const panel = (width / FOLD) * SCALE;
  const height = count * (FOLD * SCALE + GAP) - GAP;
  const image: RgbImage = {
    width: 3 * panel + 2 * PANEL_GAP,
    height,
    data: new Uint8Array((3 * panel + 2 * PANEL_GAP) * height * 3).fill(255),
  };
  const difference = tokens.cond.data.map((v, i) => v - tokens.uncond.data[i]);
  [tokens.cond.data, tokens.uncond.data, difference].forEach((values, i) =>
    drawPanel(image, values, count, width, i * (panel + PANEL_GAP)),
  );
  return image;
}

/**
 * Face tokens from the demo's small synthetic Image Adapter (seeded random weights) with SDXL's token
 * width of 2048, for a seeded random embedding: real shapes, random values.
 */
export async function syntheticFaceTokens(): Promise<ImageTokens> {
  const { image_proj: imageProj } = syntheticImageAdapter({ ...TINY_UNET, contextDim: 2048 });
  const resampler = Resampler.fromWeights(new Map(Object.entries(imageProj)));
  return computeImageTokens(resampler, new RandomWeights(EMBEDDING_SEED).gaussian(512));
}
