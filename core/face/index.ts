export type { Point, FiveKeypoints, BBox, Detection, Face } from "./types.js";
export { FaceAnalysis, faceAnalysisOptionsSchema } from "./analysis.js";
export type { FaceAnalysisOptions } from "./analysis.js";
export { ScrfdDetector, detectionSizes } from "./detector.js";
export type { DetectorOptions, DetectionResult } from "./detector.js";
export { ArcFaceRecognizer, detectRecognizerNormalization, l2Normalize } from "./recognizer.js";
export type { RecognizerOptions, Embedding } from "./recognizer.js";
export { alignFace, alignmentMatrix } from "./align.js";
export type { AlignedFace } from "./align.js";
export { estimateSimilarity } from "./similarity.js";
export type { AffineMatrix } from "./similarity.js";
export { arcfaceTemplate } from "./arcface-template.js";
export { warpAffine, invertAffine } from "./warp-affine.js";
export { letterbox, letterboxGeometry } from "./letterbox.js";
export type { LetterboxGeometry, LetterboxedInput } from "./letterbox.js";
export { resizeLinear } from "./resize-linear.js";
export type { PixelNormalization } from "./normalize.js";
export { decodeScrfd } from "./scrfd-decode.js";
export type { ScrfdHead, ScrfdDecodeOptions } from "./scrfd-decode.js";
export { groupScrfdOutputs, SCRFD_STRIDES } from "./scrfd-outputs.js";
export type { RawOutput } from "./scrfd-outputs.js";
export {
  loadFaceModelManifest,
  writeFaceModelManifest,
  manifestFileName,
  faceModelManifestSchema,
  detectorModelSchema,
  recognizerModelSchema,
} from "./manifest.js";
export type { FaceModelManifest, FaceModelManifestInput, DetectorModel, RecognizerModel } from "./manifest.js";
export { writeEmbeddingFile, readEmbeddingFile } from "./embedding-file.js";
export { keypointsFromImage, largestFace } from "./face-source.js";
export type { FaceAnalyzer, KeypointSource } from "./face-source.js";
