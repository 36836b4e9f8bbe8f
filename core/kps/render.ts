import type { FiveKeypoints } from "../face/types.js";
import type { RgbImage } from "../image/rgb-image.js";
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
 * @throws InstantIdError INVALID_INPUT for a bad size, a face without exactly 5 points, or non-finite coordinates.
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
  for (const kps of checked) drawLimbs(canvas, kps, style);
  dim(canvas.data, style.limbDim);
  for (const kps of checked) drawDiscs(canvas, kps, style);
  return canvas;
}

function resolveStyle(style: KeypointStyle = {}): Required<KeypointStyle> {
  return {
    stickWidth: style.stickWidth ?? 4,
    radius: style.radius ?? 10,
    colors: style.colors ?? DEFAULT_KEYPOINT_COLORS,
    limbDim: style.limbDim ?? 0.6,
  };
}

function drawLimbs(canvas: Canvas, kps: FiveKeypoints, style: Required<KeypointStyle>): void {
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
  }
}

/** Multiplies every channel by `factor` and truncates, as numpy's `(img * 0.6).astype(uint8)`. */
function dim(data: Uint8Array, factor: number): void {
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) table[v] = Math.trunc(v * factor);
  for (let i = 0; i < data.length; i++) data[i] = table[data[i]];
}

function drawDiscs(canvas: Canvas, kps: FiveKeypoints, style: Required<KeypointStyle>): void {
  kps.forEach(([x, y], i) => fillCircle(canvas, Math.trunc(x), Math.trunc(y), style.radius, style.colors[i]));
}
