import { z } from "zod";
import type { FiveKeypoints } from "../face/types.js";
import type { RgbImage } from "../image/rgb-image.js";
import { parseOptions } from "../validate.js";
import { assertCanvasSize, assertFiveKeypoints, isSingleFace, type CanvasSize } from "./keypoints.js";
import type { Canvas, Rgb } from "./raster/canvas.js";
import { ellipsePolygon } from "./raster/ellipse-poly.js";
import { fillCircle } from "./raster/fill-circle.js";
import { fillConvexPolygon } from "./raster/fill-convex-poly.js";

/** InstantID's keypoint colours: red, green, blue, yellow, magenta. */
export const DEFAULT_KEYPOINT_COLORS: readonly Rgb[] = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 0],
  [255, 0, 255],
];

/** Python's `math.degrees` multiplies by this constant; dividing instead can differ in the last bit. */
const RADIANS_TO_DEGREES = 180 / Math.PI;

/** Each eye and each mouth corner joined to the nose; a limb takes its first point's colour. */
const LIMBS: readonly (readonly [number, number])[] = [
  [0, 2],
  [1, 2],
  [3, 2],
  [4, 2],
];

/** Drawing style; every field defaults to InstantID's `draw_kps`, which IdentityNet was trained on. */
export interface KeypointStyle {
  /** Half thickness of each limb ellipse, pixels (default 4). */
  readonly stickWidth?: number;
  /** Radius of each keypoint disc, pixels (default 10). */
  readonly radius?: number;
  /** Five colours, one per keypoint (default red, green, blue, yellow, magenta). */
  readonly colors?: readonly Rgb[];
  /** Factor the limbs are dimmed by before the discs are drawn (default 0.6). */
  readonly limbDim?: number;
}

/** Options of {@link renderKeypoints}. */
export interface RenderKeypointsOptions extends CanvasSize {
  readonly style?: KeypointStyle;
}

/**
 * Draws the keypoint image IdentityNet conditions on, pixel-identical to
 * InstantID's `draw_kps`: a black canvas, four filled limb ellipses, the canvas
 * scaled by 0.6, then a filled disc per keypoint. Pass one face's keypoints or
 * a list of faces (all limbs are drawn first, then all discs).
 * @throws InstantIdError INVALID_INPUT for a bad size, a face without exactly 5 points, or non-finite coordinates; INVALID_OPTION for a bad
 * style.
 * @example
 * const kps = renderKeypoints(face.kps, { width: 1024, height: 1024 });
 * await savePng("kps.png", kps);
 */
export function renderKeypoints(faces: FiveKeypoints | readonly FiveKeypoints[], options: RenderKeypointsOptions): RgbImage {
  const { width, height } = assertCanvasSize(options);
  const list = (isSingleFace(faces) ? [faces] : faces) as readonly unknown[];
  const checked = list.map((kps, i) => assertFiveKeypoints(kps, list.length > 1 ? `face ${i} keypoints` : "keypoints"));
  const style = resolveStyle(options.style);
  const canvas: Canvas = { width, height, data: new Uint8Array(width * height * 3) };
  const rows = { top: height, bottom: -1 };
  for (const kps of checked) drawLimbs(canvas, kps, style, rows);
  dimRows(canvas, rows, style.limbDim);
  for (const kps of checked) drawDiscs(canvas, kps, style);
  return canvas;
}

const channel = z.number().int().min(0).max(255);
const styleSchema = z
  .object({
    stickWidth: z.number().int().min(0).max(1000).default(4),
    radius: z.number().int().min(0).max(1000).default(10),
    colors: z
      .array(z.tuple([channel, channel, channel]))
      .length(5)
      .default(DEFAULT_KEYPOINT_COLORS.map((c) => [...c] as [number, number, number])),
    limbDim: z.number().min(0).max(1).default(0.6),
  })
  .strict();

function resolveStyle(style: KeypointStyle = {}): Required<KeypointStyle> {
  return parseOptions(styleSchema, style, "keypoint style");
}

/** Rows the limbs may have touched, so dimming skips the untouched (black) rest of the canvas. */
interface RowRange {
  top: number;
  bottom: number;
}

function widenRows(rows: RowRange, polygon: readonly number[]): void {
  for (let i = 1; i < polygon.length; i += 2) {
    rows.top = Math.min(rows.top, polygon[i]);
    rows.bottom = Math.max(rows.bottom, polygon[i]);
  }
}

function drawLimbs(canvas: Canvas, kps: FiveKeypoints, style: Required<KeypointStyle>, rows: RowRange): void {
  for (const [from, to] of LIMBS) {
    const [x0, y0] = kps[from];
    const [x1, y1] = kps[to];
    const length = Math.sqrt((x0 - x1) ** 2 + (y0 - y1) ** 2);
    const polygon = ellipsePolygon({
      centerX: Math.trunc((x0 + x1) / 2),
      centerY: Math.trunc((y0 + y1) / 2),
      axisX: Math.trunc(length / 2),
      axisY: style.stickWidth,
      angle: Math.trunc(Math.atan2(y0 - y1, x0 - x1) * RADIANS_TO_DEGREES),
      arcStart: 0,
      arcEnd: 360,
      delta: 1,
    });
    fillConvexPolygon(canvas, polygon, style.colors[from]);
    widenRows(rows, polygon);
  }
}

/**
 * Multiplies every channel by `factor` and truncates, as numpy's
 * `(img * 0.6).astype(uint8)`, over the touched rows only, four bytes at a
 * time so the black majority costs one comparison per word.
 */
function dimRows(canvas: Canvas, rows: RowRange, factor: number): void {
  const top = Math.max(rows.top, 0);
  const bottom = Math.min(rows.bottom, canvas.height - 1);
  if (bottom < top) return;
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) table[v] = Math.trunc(v * factor);
  const { data } = canvas;
  const start = top * canvas.width * 3;
  const end = (bottom + 1) * canvas.width * 3;
  const wordStart = Math.ceil((data.byteOffset + start) / 4) * 4 - data.byteOffset;
  const wordEnd = Math.max(wordStart, Math.floor((data.byteOffset + end) / 4) * 4 - data.byteOffset);
  for (let i = start; i < Math.min(wordStart, end); i++) data[i] = table[data[i]];
  const words = new Uint32Array(data.buffer, data.byteOffset + wordStart, (wordEnd - wordStart) / 4);
  for (let w = 0; w < words.length; w++) {
    if (words[w] === 0) continue;
    const i = wordStart + w * 4;
    data[i] = table[data[i]];
    data[i + 1] = table[data[i + 1]];
    data[i + 2] = table[data[i + 2]];
    data[i + 3] = table[data[i + 3]];
  }
  for (let i = wordEnd; i < end; i++) data[i] = table[data[i]];
}

function drawDiscs(canvas: Canvas, kps: FiveKeypoints, style: Required<KeypointStyle>): void {
  kps.forEach(([x, y], i) => fillCircle(canvas, Math.trunc(x), Math.trunc(y), style.radius, style.colors[i]));
}
