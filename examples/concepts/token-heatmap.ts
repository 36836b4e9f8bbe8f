// The 16 face tokens as a heat map: one band per token, its channels folded into rows.
import type { ImageTokens, RgbImage, Tensor } from "../../core/index.js";

const FOLD = 8; // rows each token's channels are folded into (2048 = 8 × 256)
const GAP = 2;
const PANEL_GAP = 12;
const CLIP = 3; // tokens end in a LayerNorm, so ±3 covers nearly all values

/** Diverging colours: blue below zero, white at zero, red above; quantised to 9 levels per side. */
function color(value: number): [number, number, number] {
  const t = Math.round((Math.max(-1, Math.min(1, value / CLIP)) * 9)) / 9;
  const fade = Math.round(255 * (1 - Math.abs(t)));
  return t >= 0 ? [255, fade, fade] : [fade, fade, 255];
}

function drawPanel(image: RgbImage, tokens: Tensor, left: number): void {
  const [, count, width] = tokens.shape;
  const columns = width / FOLD;
  for (let token = 0; token < count; token++) {
    for (let c = 0; c < width; c++) {
      const x = left + (c % columns);
      const y = token * (FOLD + GAP) + Math.floor(c / columns);
      image.data.set(color(tokens.data[token * width + c]), (y * image.width + x) * 3);
    }
  }
}

/**
 * Two panels side by side: Resampler(face embedding), the tokens the image branch attends to, and
 * Resampler(zeros), the unconditional tokens used for classifier-free guidance. Each token is a band of
 * FOLD rows; gaps are white.
 */
export function tokenHeatmap(tokens: ImageTokens): RgbImage {
  const [, count, width] = tokens.cond.shape;
  const columns = width / FOLD;
  const image: RgbImage = { width: 2 * columns + PANEL_GAP, height: count * (FOLD + GAP) - GAP, data: new Uint8Array(0) };
  const data = new Uint8Array(image.width * image.height * 3).fill(255);
  const out = { ...image, data };
  drawPanel(out, tokens.cond, 0);
  drawPanel(out, tokens.uncond, columns + PANEL_GAP);
  return out;
}
