import { readFile } from "node:fs/promises";
import {
  encodePng,
  ErrorCode,
  faceSlotRect,
  InstantIdError,
  largestFace,
  loadIdentity,
  loadImage,
  renderKeypoints,
  retargetKeypoints,
  scaleKeypoints,
  type BBox,
  type Face,
  type FaceAnalyzer,
  type FiveKeypoints,
  type Identity,
} from "../../../core/index.js";
import type { OpenFaceAnalysis } from "../face-analysis.js";
import { serverEmbedding } from "../compose/images.js";

/** The one identity of a single-face bridge call: its photo, and when analysed locally its embedding and keypoint image. */
export interface PreparedIdentity {
  /** The face photo; absent for an identity file. */
  readonly photo?: Buffer;
  /** The pose photo, for servers that analyse it themselves (no local models). */
  readonly pose?: Buffer;
  readonly analysis?: { readonly embedding: Float32Array | readonly Float32Array[]; readonly keypointImage: Buffer };
}

/** What to prepare: a face photo or an identity file, an optional pose photo, face models, and the output size. */
export interface PrepareOptions {
  readonly face?: string;
  readonly identity?: string;
  readonly pose?: string;
  readonly models?: string;
  readonly width: number;
  readonly height: number;
}

/**
 * The largest face of a photo (what InstantID uses), with the photo's size; an analysis failure names the file.
 * @throws InstantIdError NO_FACE naming `path` when the photo shows no face.
 */
export async function largestFaceOf(analyzer: FaceAnalyzer, photo: Buffer, path: string): Promise<{ face: Face; width: number; height: number }> {
  const image = await loadImage(photo);
  const face = largestFace(await analyzer.analyze(image).catch(noFaceIn(path)), path);
  return { face, width: image.width, height: image.height };
}

/** A face as the layout needs it: its keypoints and the box to fit into the picture's face slot. */
interface PlacedFace {
  readonly kps: FiveKeypoints;
  readonly box: BBox;
}

async function keypointsFor(face: PlacedFace, options: PrepareOptions, analyzer?: FaceAnalyzer): Promise<FiveKeypoints> {
  if (!options.pose || !analyzer) {
    return retargetKeypoints(face.kps, faceSlotRect([0, 0, options.width, options.height]), { from: face.box });
  }
  const pose = await loadImage(options.pose);
  const [posed] = await analyzer.analyze(pose);
  if (!posed) throw new InstantIdError(ErrorCode.NoFace, `The pose photo ${options.pose} shows no face; use a pose photo with one face`);
  return scaleKeypoints(posed.kps, pose, options);
}

/** A photo's largest face: its raw embedding, and its keypoints with its detected box. */
async function fromPhoto(analyzer: FaceAnalyzer, photo: Buffer, path: string): Promise<{ embedding: Float32Array; face: PlacedFace }> {
  const { face } = await largestFaceOf(analyzer, photo, path);
  return { embedding: face.embedding, face: { kps: face.kps, box: face.bbox } };
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
  return { embedding: serverEmbedding(identity), face: { kps: source.kps, box } };
}

/**
 * Reads the photo and, with face models, analyses it locally: the largest face's raw embedding and
 * its keypoints drawn at the output size (from the pose photo's first face, or placed in the picture's
 * face slot). An identity file brings its own embedding and keypoints. Several identities go through
 * the composition API instead (bridge/composition.ts).
 */
export async function prepareIdentity(options: PrepareOptions, openFaceAnalysis: OpenFaceAnalysis): Promise<PreparedIdentity> {
  const photo = options.face === undefined ? undefined : await readFile(options.face);
  const pose = options.pose ? await readFile(options.pose) : undefined;
  if (!options.models && photo) return { photo, pose };
  const analyzer = options.models ? (await openFaceAnalysis(options.models)).analyzer : undefined;
  const prepared = photo ? await fromPhoto(analyzer!, photo, options.face!) : fromIdentity(await loadIdentity(options.identity!), options.identity!);
  const keypoints = await keypointsFor(prepared.face, options, analyzer);
  const keypointImage = await encodePng(renderKeypoints(keypoints, { width: options.width, height: options.height }));
  return { photo, analysis: { embedding: prepared.embedding, keypointImage } };
}

function noFaceIn(path: string) {
  return (error: unknown): never => {
    if (error instanceof InstantIdError && error.code === ErrorCode.NoFace) throw new InstantIdError(ErrorCode.NoFace, `${path}: ${error.message}`, { cause: error });
    throw error;
  };
}
