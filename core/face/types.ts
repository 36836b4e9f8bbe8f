/** A point in pixel coordinates of the image it was found in. */
export type Point = readonly [x: number, y: number];

/** InsightFace's five keypoints: left eye, right eye, nose, left mouth corner, right mouth corner. */
export type FiveKeypoints = readonly [Point, Point, Point, Point, Point];

/** Axis-aligned box [x1, y1, x2, y2] in pixels. */
export type BBox = readonly [x1: number, y1: number, x2: number, y2: number];

/** One detector hit: box, confidence and the five keypoints, in original-image pixels. */
export interface Detection {
  readonly bbox: BBox;
  readonly score: number;
  readonly kps: FiveKeypoints;
}

/** A detected and recognised face: the detection plus its identity embedding. */
export interface Face extends Detection {
  /** The recognizer's raw output, the vector InstantID feeds to the Resampler. */
  readonly embedding: Float32Array;
  /** The same vector scaled to unit length, for similarity. */
  readonly normedEmbedding: Float32Array;
}
