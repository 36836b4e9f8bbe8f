/** A packed RGB colour, each channel 0..255. */
export type Rgb = readonly [r: number, g: number, b: number];

/** A drawable RGB surface: the same layout as an RgbImage. */
export interface Canvas {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Fills pixels x1..x2 (inclusive, already inside the canvas) of row y. */
export function fillSpan(canvas: Canvas, y: number, x1: number, x2: number, color: Rgb): void {
  const { data } = canvas;
  const [r, g, b] = color;
  let offset = (y * canvas.width + x1) * 3;
  for (let x = x1; x <= x2; x++, offset += 3) {
    data[offset] = r;
    data[offset + 1] = g;
    data[offset + 2] = b;
  }
}

/** Sets one pixel that is known to be inside the canvas. */
export function putPixel(canvas: Canvas, x: number, y: number, color: Rgb): void {
  const offset = (y * canvas.width + x) * 3;
  canvas.data[offset] = color[0];
  canvas.data[offset + 1] = color[1];
  canvas.data[offset + 2] = color[2];
}
