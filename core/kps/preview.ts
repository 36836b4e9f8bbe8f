import type { Detection } from "../face/types.js";
import type { RgbImage } from "../image/rgb-image.js";
import type { Canvas, Rgb } from "./raster/canvas.js";
import { fillCircle } from "./raster/fill-circle.js";
import { drawLine } from "./raster/line.js";
import { DEFAULT_KEYPOINT_COLORS } from "./render.js";

const BOX_COLOR: Rgb = [0, 255, 0];

function drawBox(canvas: Canvas, bbox: Detection["bbox"], thickness: number): void {
  const [x1, y1, x2, y2] = bbox.map(Math.round);
  for (let t = 0; t < thickness; t++) {
    drawLine(canvas, x1 - t, y1 - t, x2 + t, y1 - t, BOX_COLOR);
    drawLine(canvas, x2 + t, y1 - t, x2 + t, y2 + t, BOX_COLOR);
    drawLine(canvas, x2 + t, y2 + t, x1 - t, y2 + t, BOX_COLOR);
    drawLine(canvas, x1 - t, y2 + t, x1 - t, y1 - t, BOX_COLOR);
  }
}

/**
 * The picture to check before spending a generation: a copy of the photo with
 * each detected face's box (green) and five keypoints (InstantID's colours)
 * drawn over it, sized to the photo.
 * @example await savePng("preview.png", drawFacePreview(photo, faces));
 */
export function drawFacePreview(image: RgbImage, faces: readonly Detection[]): RgbImage {
  const canvas: Canvas = { width: image.width, height: image.height, data: Uint8Array.from(image.data) };
  const scale = Math.max(1, Math.round(Math.min(image.width, image.height) / 400));
  for (const face of faces) {
    drawBox(canvas, face.bbox, scale * 2);
    face.kps.forEach(([x, y], i) => fillCircle(canvas, Math.round(x), Math.round(y), scale * 3, DEFAULT_KEYPOINT_COLORS[i]));
  }
  return canvas;
}
