import { readFile } from "node:fs/promises";
import {
  encodePng,
  ErrorCode,
  FaceAnalysis,
  identityEmbeds,
  InstantIdError,
  largestFace,
  loadIdentity,
  loadImage,
  renderKeypoints,
  retargetKeypoints,
  scaleKeypoints,
  type BBox,
  type FiveKeypoints,
  type Identity,
} from "../../../core/index.js";
import { identityRegions, regionMaskPng, type Region } from "./layout.js";

/** One identity ready for a bridge: its photo, and when analysed locally its embedding and keypoint image. */
export interface PreparedIdentity {
  /** The face photo; absent for an identity file. */
  readonly photo?: Buffer;
  /** The pose photo, for servers that analyse it themselves (no local models). */
  readonly pose?: Buffer;
  readonly analysis?: { readonly embedding: Float32Array | readonly Float32Array[]; readonly keypointImage: Buffer };
  /** Region mask PNG, when there are several identities. */
  readonly mask?: Buffer;
}

/** What to prepare: face photos and identity files (one per identity), an optional pose photo, face models, and the output size. */
export interface PrepareOptions {
  readonly faces: readonly string[];
  readonly identities?: readonly string[];
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

/** A face as the layout needs it: its keypoints and the box to fit into its region. */
interface PlacedFace {
  readonly kps: FiveKeypoints;
  readonly box: BBox;
}

async function keypointsFor(faces: readonly PlacedFace[], options: PrepareOptions, regions: Region[], analysis?: FaceAnalysis): Promise<FiveKeypoints[]> {
  if (!options.pose || !analysis) return faces.map((face, i) => retargetKeypoints(face.kps, faceSlot(regions[i]), { from: face.box }));
  const pose = await loadImage(options.pose);
  const posed = (await analysis.analyze(pose)).slice(0, faces.length);
  if (posed.length < faces.length) {
    throw new InstantIdError(ErrorCode.NoFace, `The pose photo ${options.pose} shows ${posed.length} face(s) but ${faces.length} identities were given; use a pose with one face per identity`);
  }
  posed.sort((a, b) => a.bbox[0] - b.bbox[0]); // identities are laid out left to right
  return posed.map((face) => scaleKeypoints(face.kps, pose, options));
}

/** An identity file's embedding as the server takes it, and its first reference's keypoints. */
function fromIdentity(identity: Identity, path: string): { embedding: Float32Array | Float32Array[]; face: PlacedFace } {
  const source = identity.sources[0];
  if (!source) throw new InstantIdError(ErrorCode.InvalidInput, `${path} records no keypoints (it was made from bare embeddings); recreate it from photos with instantid identity create`);
  const xs = source.kps.map((p) => p[0]);
  const ys = source.kps.map((p) => p[1]);
  const [w, h] = [Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)];
  // The eyes-to-mouth box is about half a face box wide: widen it so the face keeps its size in its slot.
  const box: BBox = [Math.min(...xs) - w * 0.6, Math.min(...ys) - h * 0.9, Math.max(...xs) + w * 0.6, Math.max(...ys) + h * 0.6];
  const embedding = identity.combine === "concat" ? [...identity.embeddings] : identityEmbeds(identity).data;
  return { embedding, face: { kps: source.kps, box } };
}

/**
 * Reads the photos and, with face models, analyses them locally: the largest face's raw embedding and
 * its keypoints drawn at the output size (from the pose photo, or each face placed in its region).
 * Identity files bring their own embeddings and keypoints. Several identities get side-by-side regions and masks.
 */
export async function prepareIdentities(options: PrepareOptions): Promise<PreparedIdentity[]> {
  const photos = await Promise.all(options.faces.map((path) => readFile(path)));
  const files = await Promise.all((options.identities ?? []).map((path) => loadIdentity(path)));
  const pose = options.pose ? await readFile(options.pose) : undefined;
  const count = photos.length + files.length;
  const regions = identityRegions(count, options.width, options.height);
  const masks = count > 1 ? await Promise.all(regions.map((region) => regionMaskPng(region, options.width, options.height))) : [];
  if (!options.models && !files.length) return photos.map((photo, i) => ({ photo, pose, mask: masks[i] }));
  if (!options.models && photos.length) throw new InstantIdError(ErrorCode.InvalidOption, "Mixing --face photos with --identity files needs --models, so the photos are analysed the same way");
  const analysis = options.models ? await FaceAnalysis.create({ models: options.models }) : undefined;
  const embeddings: (Float32Array | Float32Array[])[] = [];
  const faces: PlacedFace[] = [];
  for (const [i, photo] of photos.entries()) {
    const face = largestFace(await analysis!.analyze(await loadImage(photo)).catch(noFaceIn(options.faces[i])), options.faces[i]);
    embeddings.push(face.embedding);
    faces.push({ kps: face.kps, box: face.bbox });
  }
  for (const [i, identity] of files.entries()) {
    const prepared = fromIdentity(identity, options.identities![i]);
    embeddings.push(prepared.embedding);
    faces.push(prepared.face);
  }
  const keypoints = await keypointsFor(faces, options, regions, analysis);
  const images = await Promise.all(keypoints.map((kps) => encodePng(renderKeypoints(kps, { width: options.width, height: options.height }))));
  return faces.map((_, i) => ({ photo: photos[i], mask: masks[i], analysis: { embedding: embeddings[i], keypointImage: images[i] } }));
}

function noFaceIn(path: string) {
  return (error: unknown): never => {
    if (error instanceof InstantIdError && error.code === ErrorCode.NoFace) throw new InstantIdError(ErrorCode.NoFace, `${path}: ${error.message}`, { cause: error });
    throw error;
  };
}
