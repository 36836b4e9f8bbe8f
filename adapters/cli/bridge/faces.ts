import { readFile } from "node:fs/promises";
import {
  encodePng,
  ErrorCode,
  fitKeypoints,
  InstantIdError,
  largestFace,
  loadIdentity,
  loadImage,
  renderKeypoints,
  type CanvasSize,
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
export async function largestFaceOf(
  analyzer: FaceAnalyzer,
  photo: Buffer,
  path: string,
): Promise<{ face: Face; width: number; height: number }> {
  const image = await loadImage(photo);
  const face = largestFace(await analyzer.analyze(image).catch(noFaceIn(path)), path);
  return { face, width: image.width, height: image.height };
}

/** A face's keypoints and the size of the picture they were found in. */
interface PlacedFace {
  readonly kps: FiveKeypoints;
  readonly picture: CanvasSize;
}

/**
 * The keypoints to draw: the pose photo's largest face (InstantID's choice) or, without a pose, the face
 * photo's own, fitted onto the canvas with one scale factor and centred (`fitKeypoints`): the face keeps
 * its proportions and its place in its picture, as the reference app draws it and as the servers'
 * "Resize and Fill" places the keypoints they draw themselves.
 */
async function keypointsFor(face: PlacedFace, options: PrepareOptions, analyzer?: FaceAnalyzer): Promise<FiveKeypoints> {
  if (!options.pose || !analyzer) return fitKeypoints(face.kps, face.picture, options);
  const pose = await loadImage(options.pose);
  const posed = largestFace(await analyzer.analyze(pose), `the pose photo ${options.pose}`);
  return fitKeypoints(posed.kps, pose, options);
}

/** A photo's largest face: its raw embedding, and its keypoints in the photo. */
async function fromPhoto(analyzer: FaceAnalyzer, photo: Buffer, path: string): Promise<{ embedding: Float32Array; face: PlacedFace }> {
  const { face, width, height } = await largestFaceOf(analyzer, photo, path);
  return { embedding: face.embedding, face: { kps: face.kps, picture: { width, height } } };
}

/** An identity file's embedding as the server takes it, and its first reference's keypoints in that photo. */
function fromIdentity(identity: Identity, path: string): { embedding: Float32Array | Float32Array[]; face: PlacedFace } {
  const source = identity.sources[0];
  if (!source)
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `${path} records no keypoints (it was made from bare embeddings); recreate it from photos with instantid identity create`,
    );
  return { embedding: serverEmbedding(identity), face: { kps: source.kps, picture: { width: source.width, height: source.height } } };
}

/**
 * Reads the photo and, with face models, analyses it locally: the largest face's raw embedding and
 * its keypoints drawn at the output size (from the pose photo's largest face, or the photo's own, see
 * `keypointsFor`). An identity file brings its own embedding and keypoints. Several identities go
 * through the composition API instead (bridge/composition.ts), where photos cannot keep their own
 * placement: each face, centred in its own photo, would land on the others.
 */
export async function prepareIdentity(options: PrepareOptions, openFaceAnalysis: OpenFaceAnalysis): Promise<PreparedIdentity> {
  const photo = options.face === undefined ? undefined : await readFile(options.face);
  const pose = options.pose ? await readFile(options.pose) : undefined;
  if (!options.models && photo) return { photo, pose };
  const analyzer = options.models ? (await openFaceAnalysis(options.models)).analyzer : undefined;
  const prepared = photo
    ? await fromPhoto(analyzer!, photo, options.face!)
    : fromIdentity(await loadIdentity(options.identity!), options.identity!);
  const keypoints = await keypointsFor(prepared.face, options, analyzer);
  const keypointImage = await encodePng(renderKeypoints(keypoints, { width: options.width, height: options.height }));
  return { photo, analysis: { embedding: prepared.embedding, keypointImage } };
}

function noFaceIn(path: string) {
  return (error: unknown): never => {
    if (error instanceof InstantIdError && error.code === ErrorCode.NoFace)
      throw new InstantIdError(ErrorCode.NoFace, `${path}: ${error.message}`, { cause: error });
    throw error;
  };
}
