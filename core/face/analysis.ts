import { z } from "zod";
import { invalidOption } from "../errors.js";
import { loadImage, type ImageInput } from "../image/io.js";
import { parseOptions } from "../validate.js";
import { ScrfdDetector } from "./detector.js";
import { detectorModelSchema, loadFaceModelManifest, recognizerModelSchema, type FaceModelManifest } from "./manifest.js";
import { ArcFaceRecognizer } from "./recognizer.js";
import { decodeShrunk, scaleFace, SHRINK_ON_LOAD_SIDE } from "./shrink-on-load.js";
import type { Detection, Face } from "./types.js";

/** Options of {@link FaceAnalysis.create}: a manifest (models.json or its folder), or both models described inline. */
export const faceAnalysisOptionsSchema = z
  .object({
    /** Path to `models.json` or the folder holding it. */
    models: z.string().min(1).optional(),
    detector: detectorModelSchema.optional(),
    recognizer: recognizerModelSchema.optional(),
    /** Minimum face score (default 0.5). */
    threshold: z.number().min(0).max(1).default(0.5),
    /** Retry at 576, 512, … 192 when no face is found at the detection size (default true). */
    retrySmaller: z.boolean().default(true),
  })
  .refine((o) => o.models !== undefined || (o.detector !== undefined && o.recognizer !== undefined), {
    message: "give either models (a models.json or its folder) or both detector and recognizer",
  });

/** What {@link FaceAnalysis.create} accepts. */
export type FaceAnalysisOptions = z.input<typeof faceAnalysisOptionsSchema>;

function area(d: Detection): number {
  return (d.bbox[2] - d.bbox[0]) * (d.bbox[3] - d.bbox[1]);
}

/**
 * InsightFace-style face analysis in pure TypeScript: SCRFD detection, ArcFace alignment and embedding.
 * Models load once in {@link FaceAnalysis.create}; {@link FaceAnalysis.analyze} may be called concurrently.
 */
export class FaceAnalysis {
  private constructor(
    /** The detector, for callers that only need boxes and keypoints. */
    readonly detector: ScrfdDetector,
    /** The recognizer, for callers that align and embed themselves. */
    readonly recognizer: ArcFaceRecognizer,
  ) {}

  /** Validates the options, loads both models and checks that they fit. */
  static async create(options: FaceAnalysisOptions): Promise<FaceAnalysis> {
    const parsed = parseOptions(faceAnalysisOptionsSchema, options, "face analysis options");
    const manifest: Partial<FaceModelManifest> = parsed.models ? await loadFaceModelManifest(parsed.models) : {};
    const detectorModel = parsed.detector ?? manifest.detector!;
    const recognizerModel = parsed.recognizer ?? manifest.recognizer!;
    const [detector, recognizer] = await Promise.all([
      ScrfdDetector.load({ ...detectorModel, threshold: parsed.threshold, retrySmaller: parsed.retrySmaller }),
      ArcFaceRecognizer.load(recognizerModel),
    ]);
    return new FaceAnalysis(detector, recognizer);
  }

  /**
   * Every face in the image, largest box first, with bbox, score, keypoints and embeddings.
   * `maxNum` keeps at most that many faces, chosen as insightface does (large and central first).
   * `shrinkOnLoad` (opt-in; `true` keeps a long side of at least 960 px, or give that minimum) decodes a
   * large JPEG/WebP file or buffer at 1/2, 1/4 or 1/8 of its size and analyses that, boxes and keypoints
   * scaled back to the photo's pixels:
   * much faster on big photos, no longer bit-identical to insightface (docs/face.md).
   * @throws InstantIdError IMAGE_UNREADABLE for a bad image, NO_FACE when no size finds a face.
   */
  async analyze(image: ImageInput, options: { readonly maxNum?: number; readonly shrinkOnLoad?: boolean | number } = {}): Promise<Face[]> {
    const maxNum = options.maxNum ?? 0;
    if (!Number.isInteger(maxNum) || maxNum < 0) throw invalidOption("maxNum", "a whole number >= 0 (0 keeps every face)", maxNum);
    const shrink = options.shrinkOnLoad === true ? SHRINK_ON_LOAD_SIDE : options.shrinkOnLoad || 0;
    if (!Number.isInteger(shrink) || shrink < 0 || (shrink > 0 && shrink < 640))
      throw invalidOption("shrinkOnLoad", "true, false or a minimum long side of at least 640 pixels", options.shrinkOnLoad);
    const { image: rgb, scale } = shrink ? await decodeShrunk(image, shrink) : { image: await loadImage(image), scale: 1 };
    const { detections } = await this.detector.detect(rgb, maxNum);
    const sorted = [...detections].sort((a, b) => area(b) - area(a));
    const faces: Face[] = [];
    for (const detection of sorted) faces.push(scaleFace({ ...detection, ...(await this.recognizer.embed(rgb, detection.kps)) }, scale));
    return faces;
  }
}
