import { loadImage, type ImageInput } from "../image/io.js";
import type { RgbImage } from "../image/rgb-image.js";
import type { FaceAnalyzer } from "../face/face-source.js";
import type { PoseFaces } from "./types.js";

/**
 * Every face of a group photo, for a composition's `pose`: the faces (any order; the composition
 * sorts them left to right) and the photo's size, plus the decoded photo (e.g. for the preview).
 * @throws InstantIdError IMAGE_UNREADABLE when the photo cannot be decoded.
 * @example
 * const { pose, image } = await poseFromImage(analysis, "group.jpg");
 * const composition = createComposition({ width: image.width, height: image.height, prompt, pose, identities });
 */
export async function poseFromImage(analyzer: FaceAnalyzer, input: ImageInput): Promise<{ pose: PoseFaces; image: RgbImage }> {
  const image = await loadImage(input);
  return { pose: { width: image.width, height: image.height, faces: await analyzer.analyze(image) }, image };
}
