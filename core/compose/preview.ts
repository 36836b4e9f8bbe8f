import type { RgbImage } from "../image/rgb-image.js";
import { controlImageTensor } from "../controlnet/control-image.js";
import type { Rgb } from "../kps/raster/canvas.js";
import type { Composition } from "./types.js";

/** Region tints, one per identity in turn. */
export const REGION_COLORS: readonly Rgb[] = [
  [0, 160, 255],
  [255, 140, 0],
  [0, 200, 120],
  [220, 60, 220],
  [240, 220, 0],
  [120, 120, 255],
];

/**
 * The layout to check before generating: each region tinted in its colour (brighter where its mask
 * is stronger), the region's border in full colour, and every identity's keypoint image drawn on
 * top. `background` (e.g. the pose photo at the canvas size) shows through the tints.
 * @example await savePng("layout.png", drawCompositionPreview(composition));
 */
export function drawCompositionPreview(composition: Composition, options: { background?: RgbImage } = {}): RgbImage {
  const { width, height } = composition;
  const data = new Float32Array(width * height * 3);
  const background = options.background?.width === width && options.background.height === height ? options.background : undefined;
  for (let k = 0; k < data.length; k++) data[k] = background ? background.data[k] * 0.5 : 24;
  composition.identities.forEach((c, i) => tintRegion(data, c.mask.data, width, height, REGION_COLORS[i % REGION_COLORS.length]));
  const out = Uint8Array.from(data, (v) => Math.min(255, Math.max(0, Math.round(v))));
  for (const c of composition.identities) overlayKeypoints(out, controlImageTensor(c.keypointImage).data, width * height);
  return { width, height, data: out };
}

function tintRegion(data: Float32Array, mask: Float32Array, width: number, height: number, color: Rgb): void {
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const m = Math.min(1, Math.max(0, mask[p]));
      if (m === 0) continue;
      const border = isBorder(mask, x, y, width, height);
      const alpha = border ? 1 : 0.35 * m;
      for (let c = 0; c < 3; c++) data[p * 3 + c] = data[p * 3 + c] * (1 - alpha) + color[c] * alpha;
    }
  }
}

// A pixel of the region with a neighbour (4-connected) outside it or off the canvas, thickened by one.
function isBorder(mask: Float32Array, x: number, y: number, width: number, height: number): boolean {
  for (let dy = -2; dy <= 2; dy++) {
    for (let dx = -2; dx <= 2; dx++) {
      const [nx, ny] = [x + dx, y + dy];
      if (Math.abs(dx) + Math.abs(dy) > 2) continue;
      if (nx < 0 || ny < 0 || nx >= width || ny >= height || mask[ny * width + nx] <= 0) return true;
    }
  }
  return false;
}

// Keypoint pixels (any channel lit) replace what is below them.
function overlayKeypoints(out: Uint8Array, planes: Float32Array, area: number): void {
  for (let p = 0; p < area; p++) {
    const [r, g, b] = [planes[p], planes[area + p], planes[2 * area + p]];
    if (r === 0 && g === 0 && b === 0) continue;
    out[p * 3] = Math.round(r * 255);
    out[p * 3 + 1] = Math.round(g * 255);
    out[p * 3 + 2] = Math.round(b * 255);
  }
}
