import type { BBox, FiveKeypoints } from "../face/types.js";
import { arcfaceTemplate } from "../face/arcface-template.js";

/**
 * How much larger a face box is than the box of its five keypoints. On the ArcFace template the
 * keypoints span 35 × 41 px of a 112 px face crop; 2.5 gives a box of about the detector's size.
 */
export const FACE_BOX_FACTOR = 2.5;

/** The box around five keypoints. */
export function keypointBox(kps: FiveKeypoints): BBox {
  const xs = kps.map((p) => p[0]);
  const ys = kps.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** An estimated face box: a square centred on the keypoints, FACE_BOX_FACTOR × their larger side. */
export function estimateFaceBox(kps: FiveKeypoints): BBox {
  const [x1, y1, x2, y2] = keypointBox(kps);
  const half = (Math.max(x2 - x1, y2 - y1, 1) * FACE_BOX_FACTOR) / 2;
  const [cx, cy] = [(x1 + x2) / 2, (y1 + y2) / 2];
  return [cx - half, cy - half, cx + half, cy + half];
}

/** A frontal face's keypoints in a 112 px crop (the ArcFace template) and that crop as its face box. */
export function frontalFace(): { kps: FiveKeypoints; bbox: BBox } {
  return { kps: arcfaceTemplate(112) as unknown as FiveKeypoints, bbox: [0, 0, 112, 112] };
}
