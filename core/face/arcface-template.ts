import type { Point } from "./types.js";

// insightface's `arcface_dst` for 112x112 crops, stored as float32 there; we round the same way.
const ARCFACE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * The ArcFace 5-point template for a square crop of `size` pixels, as insightface's `estimate_norm`:
 * scaled by size/112 when size is a multiple of 112, else by size/128 and shifted right by 8·size/128.
 */
export function arcfaceTemplate(size: number): Point[] {
  const by112 = size % 112 === 0;
  const ratio = by112 ? size / 112 : size / 128;
  const shift = by112 ? 0 : 8 * ratio;
  const f32 = Math.fround;
  return ARCFACE_112.map(([x, y]): Point => [f32(f32(f32(x) * ratio) + shift), f32(f32(y) * ratio)]);
}
