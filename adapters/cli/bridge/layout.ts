import { encodePng, type RgbImage } from "../../../core/index.js";

/** A rectangle of the output picture, in pixels. */
export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Splits the picture into `count` side-by-side columns, one per identity, left to right. */
export function identityRegions(count: number, width: number, height: number): Region[] {
  return Array.from({ length: count }, (_, i) => {
    const x = Math.round((i * width) / count);
    return { x, y: 0, width: Math.round(((i + 1) * width) / count) - x, height };
  });
}

/** A white-on-black PNG at the picture's size, white inside `region`: the identity's region mask. */
export function regionMaskPng(region: Region, width: number, height: number): Promise<Buffer> {
  const image: RgbImage = { width, height, data: new Uint8Array(width * height * 3) };
  for (let y = region.y; y < region.y + region.height; y++) image.data.fill(255, (y * width + region.x) * 3, (y * width + region.x + region.width) * 3);
  return encodePng(image);
}
