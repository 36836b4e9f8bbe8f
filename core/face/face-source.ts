import { ErrorCode, InstantIdError } from "../errors.js";
import type { BBox, Detection, Face, FiveKeypoints } from "./types.js";
import { loadImage, type ImageInput } from "../image/io.js";
import type { RgbImage } from "../image/rgb-image.js";

/** What keypoint and identity helpers need from face analysis: every face found in a picture. */
export interface FaceAnalyzer {
  analyze(image: RgbImage): Promise<readonly Face[]>;
}

/** InstantID's face choice: the detection with the largest bbox area. */
export function largestFace<T extends Detection>(faces: readonly T[], source = "the image"): T {
  if (!faces.length) {
    throw new InstantIdError(
      ErrorCode.NoFace,
      `No face found in ${source}; use a photo where one face is clearly visible, frontal and not too small.`,
    );
  }
  const area = (f: Detection) => (f.bbox[2] - f.bbox[0]) * (f.bbox[3] - f.bbox[1]);
  return faces.reduce((best, face) => (area(face) > area(best) ? face : best));
}

/** The keypoints of the main face in a picture and the size of that picture: what a keypoint image is drawn from. */
export interface KeypointSource {
  readonly kps: FiveKeypoints;
  readonly bbox: BBox;
  readonly width: number;
  readonly height: number;
  /** The whole face (embedding included), for callers that also want the identity. */
  readonly face: Face;
}

/**
 * Finds the main face of a picture and returns its keypoints with the picture's
 * size. Given the pose reference instead of the identity photo, this is the
 * reference app's pose transfer: the identity comes from one photo, the
 * keypoints (and canvas size) from another.
 * @throws InstantIdError NO_FACE when the picture has no face, IMAGE_UNREADABLE when it cannot be decoded.
 * @example
 * const pose = await keypointsFromImage(analyzer, "pose.jpg");
 * const kpsImage = renderKeypoints(pose.kps, pose);
 */
export async function keypointsFromImage(
  analyzer: FaceAnalyzer,
  input: ImageInput,
  source = typeof input === "string" ? input : "the image",
): Promise<KeypointSource> {
  const image = await loadImage(input);
  const face = largestFace(await analyzer.analyze(image), source);
  return { kps: face.kps, bbox: face.bbox, width: image.width, height: image.height, face };
}
