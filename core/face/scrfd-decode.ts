import type { BBox, Detection, FiveKeypoints, Point } from "./types.js";

/** The three outputs of one SCRFD stride, rows in anchor order (cell row-major, 2 anchors per cell). */
export interface ScrfdHead {
  readonly stride: number;
  /** [N] face scores. */
  readonly scores: Float32Array;
  /** [N, 4] distances left, top, right, bottom in stride units. */
  readonly boxes: Float32Array;
  /** [N, 10] keypoint offsets (x, y) × 5 in stride units. */
  readonly kps: Float32Array;
}

/** What {@link decodeScrfd} needs to know besides the heads. */
export interface ScrfdDecodeOptions {
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly imageWidth: number;
  readonly imageHeight: number;
  /** insightface's det_scale (resized height / image height). */
  readonly detScale: number;
  /** Minimum score kept (insightface's det_thresh, default 0.5). */
  readonly threshold?: number;
  /** IoU above which the weaker of two boxes is dropped (default 0.4). */
  readonly nmsThreshold?: number;
  /** Keep at most this many faces, preferring large and central ones; 0 keeps all (default). */
  readonly maxNum?: number;
}

/** Candidates above threshold, in collection order: score, box (4) and keypoints (10) per row. */
interface Candidates {
  count: number;
  scores: Float32Array;
  boxes: Float32Array;
  kps: Float32Array;
}

const f32 = Math.fround;

/** Rows of `scores` at or above the threshold (NaN never is). */
function rowsAbove(scores: Float32Array, threshold: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] >= threshold) rows.push(i);
  return rows;
}

function collect(heads: readonly ScrfdHead[], options: ScrfdDecodeOptions, threshold: number): Candidates {
  const hits = heads.map((head) => rowsAbove(head.scores, threshold));
  const capacity = hits.reduce((sum, rows) => sum + rows.length, 0);
  const out: Candidates = {
    count: 0,
    scores: new Float32Array(capacity),
    boxes: new Float32Array(capacity * 4),
    kps: new Float32Array(capacity * 10),
  };
  const scale = f32(options.detScale);
  heads.forEach((head, h) => {
    const { stride, scores, boxes, kps } = head;
    const cellsWide = Math.floor(options.inputWidth / stride);
    const cells = cellsWide * Math.floor(options.inputHeight / stride);
    const anchors = Math.max(1, Math.round(scores.length / cells));
    for (const i of hits[h]) {
      const cell = Math.floor(i / anchors);
      const cx = (cell % cellsWide) * stride;
      const cy = Math.floor(cell / cellsWide) * stride;
      const n = out.count++;
      out.scores[n] = scores[i];
      const b = i * 4;
      out.boxes[n * 4] = f32(f32(cx - f32(boxes[b] * stride)) / scale);
      out.boxes[n * 4 + 1] = f32(f32(cy - f32(boxes[b + 1] * stride)) / scale);
      out.boxes[n * 4 + 2] = f32(f32(cx + f32(boxes[b + 2] * stride)) / scale);
      out.boxes[n * 4 + 3] = f32(f32(cy + f32(boxes[b + 3] * stride)) / scale);
      for (let k = 0; k < 10; k += 2) {
        out.kps[n * 10 + k] = f32(f32(cx + f32(kps[i * 10 + k] * stride)) / scale);
        out.kps[n * 10 + k + 1] = f32(f32(cy + f32(kps[i * 10 + k + 1] * stride)) / scale);
      }
    }
  });
  return out;
}

/** Indices by descending score; equal scores keep collection order. */
function byScore(c: Candidates): number[] {
  const order = Array.from({ length: c.count }, (_, i) => i);
  return order.sort((a, b) => c.scores[b] - c.scores[a] || a - b);
}

/** Greedy NMS over rows already sorted by score, with insightface's +1-pixel box areas. */
function nms(c: Candidates, order: readonly number[], iouThreshold: number): number[] {
  const area = (i: number) => f32(f32(c.boxes[i * 4 + 2] - c.boxes[i * 4] + 1) * f32(c.boxes[i * 4 + 3] - c.boxes[i * 4 + 1] + 1));
  const suppressed = new Uint8Array(order.length);
  const keep: number[] = [];
  for (let a = 0; a < order.length; a++) {
    if (suppressed[a]) continue;
    const i = order[a];
    keep.push(i);
    const areaI = area(i);
    for (let b = a + 1; b < order.length; b++) {
      if (suppressed[b]) continue;
      const j = order[b];
      const w = Math.max(0, Math.min(c.boxes[i * 4 + 2], c.boxes[j * 4 + 2]) - Math.max(c.boxes[i * 4], c.boxes[j * 4]) + 1);
      const h = Math.max(0, Math.min(c.boxes[i * 4 + 3], c.boxes[j * 4 + 3]) - Math.max(c.boxes[i * 4 + 1], c.boxes[j * 4 + 1]) + 1);
      const inter = f32(w * h);
      if (inter / (areaI + area(j) - inter) > iouThreshold) suppressed[b] = 1;
    }
  }
  return keep;
}

/** insightface's max_num choice: the largest boxes, penalised by twice their squared distance from the image centre. */
function selectCentral(c: Candidates, keep: number[], maxNum: number, imageWidth: number, imageHeight: number): number[] {
  const centreX = Math.floor(imageWidth / 2);
  const centreY = Math.floor(imageHeight / 2);
  const value = (i: number) => {
    const [x1, y1, x2, y2] = c.boxes.subarray(i * 4, i * 4 + 4);
    const dx = (x1 + x2) / 2 - centreX;
    const dy = (y1 + y2) / 2 - centreY;
    return (x2 - x1) * (y2 - y1) - (dx * dx + dy * dy) * 2;
  };
  const values = new Map(keep.map((i) => [i, value(i)]));
  return [...keep].sort((a, b) => values.get(b)! - values.get(a)!).slice(0, maxNum);
}

function toDetection(c: Candidates, i: number): Detection {
  const b = c.boxes;
  const bbox: BBox = [b[i * 4], b[i * 4 + 1], b[i * 4 + 2], b[i * 4 + 3]];
  const point = (k: number): Point => [c.kps[i * 10 + k * 2], c.kps[i * 10 + k * 2 + 1]];
  const kps: FiveKeypoints = [point(0), point(1), point(2), point(3), point(4)];
  return { bbox, score: c.scores[i], kps };
}

/**
 * Turns SCRFD head outputs into detections in original-image pixels, exactly as insightface's
 * `SCRFD.detect`: anchor centres, distances × stride, threshold, NMS, then optional max_num selection.
 * The result is in insightface's order (by score, or by the max_num criterion when it applies).
 */
export function decodeScrfd(heads: readonly ScrfdHead[], options: ScrfdDecodeOptions): Detection[] {
  const candidates = collect(heads, options, options.threshold ?? 0.5);
  let keep = nms(candidates, byScore(candidates), options.nmsThreshold ?? 0.4);
  const maxNum = options.maxNum ?? 0;
  if (maxNum > 0 && keep.length > maxNum) keep = selectCentral(candidates, keep, maxNum, options.imageWidth, options.imageHeight);
  return keep.map((i) => toDetection(candidates, i));
}
