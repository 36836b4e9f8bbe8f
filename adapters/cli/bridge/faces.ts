import { readFile } from "node:fs/promises";
import { encodePng, ErrorCode, FaceAnalysis, InstantIdError, largestFace, loadImage, renderKeypoints, retargetKeypoints, scaleKeypoints, type Face, type FiveKeypoints } from "../../../core/index.js";
import { identityRegions, regionMaskPng, type Region } from "./layout.js";

/** One identity ready for a bridge: its photo, and when analysed locally its embedding and keypoint image. */
export interface PreparedIdentity {
  readonly photo: Buffer;
  /** The pose photo, for servers that analyse it themselves (no local models). */
  readonly pose?: Buffer;
  readonly analysis?: { readonly embedding: Float32Array; readonly keypointImage: Buffer };
  /** Region mask PNG, when there are several identities. */
  readonly mask?: Buffer;
}

/** What to prepare: face photos (one per identity), an optional pose photo, face models, and the output size. */
export interface PrepareOptions {
  readonly faces: readonly string[];
  readonly pose?: string;
  readonly models?: string;
  readonly width: number;
  readonly height: number;
}

/** Keeps a face's keypoints inside the middle of its region: faces fill about half the region's width. */
function faceSlot(region: Region): Region {
  const size = Math.min(region.width, region.height) * 0.5;
  return { x: region.x + (region.width - size) / 2, y: region.y + (region.height - size) / 2.5, width: size, height: size };
}

async function keypointsFor(analysis: FaceAnalysis, faces: Face[], options: PrepareOptions, regions: Region[]): Promise<FiveKeypoints[]> {
  if (!options.pose) return faces.map((face, i) => retargetKeypoints(face.kps, faceSlot(regions[i]), { from: face.bbox }));
  const pose = await loadImage(options.pose);
  const posed = (await analysis.analyze(pose)).slice(0, faces.length);
  if (posed.length < faces.length) {
    throw new InstantIdError(ErrorCode.NoFace, `The pose photo ${options.pose} shows ${posed.length} face(s) but ${faces.length} identities were given; use a pose with one face per --face`);
  }
  posed.sort((a, b) => a.bbox[0] - b.bbox[0]); // identities are laid out left to right
  return posed.map((face) => scaleKeypoints(face.kps, pose, options));
}

/**
 * Reads the photos and, with face models, analyses them locally: the largest face's raw embedding and
 * its keypoints drawn at the output size (from the pose photo, or each face placed in its region).
 * Several identities get side-by-side regions and their masks.
 */
export async function prepareIdentities(options: PrepareOptions): Promise<PreparedIdentity[]> {
  const photos = await Promise.all(options.faces.map((path) => readFile(path)));
  const pose = options.pose ? await readFile(options.pose) : undefined;
  const regions = identityRegions(photos.length, options.width, options.height);
  const masks = photos.length > 1 ? await Promise.all(regions.map((region) => regionMaskPng(region, options.width, options.height))) : [];
  if (!options.models) return photos.map((photo, i) => ({ photo, pose, mask: masks[i] }));
  const analysis = await FaceAnalysis.create({ models: options.models });
  const faces: Face[] = [];
  for (const [i, photo] of photos.entries()) faces.push(largestFace(await analysis.analyze(photo).catch(noFaceIn(options.faces[i])), options.faces[i]));
  const keypoints = await keypointsFor(analysis, faces, options, regions);
  const images = await Promise.all(keypoints.map((kps) => encodePng(renderKeypoints(kps, { width: options.width, height: options.height }))));
  return photos.map((photo, i) => ({ photo, mask: masks[i], analysis: { embedding: faces[i].embedding, keypointImage: images[i] } }));
}

function noFaceIn(path: string) {
  return (error: unknown): never => {
    if (error instanceof InstantIdError && error.code === ErrorCode.NoFace) throw new InstantIdError(ErrorCode.NoFace, `${path}: ${error.message}`, { cause: error });
    throw error;
  };
}
