import { readFile } from "node:fs/promises";
import {
  createIdentity,
  ErrorCode,
  fitKeypoints,
  InstantIdError,
  largestFace,
  loadIdentity,
  loadImage,
  type CanvasSize,
  type Face,
  type FaceAnalyzer,
  type FiveKeypoints,
  type Identity,
} from "../../../core/index.js";
import type { CliFaceAnalysis, OpenFaceAnalysis } from "../face-analysis.js";

/**
 * The one identity of a single-face bridge call: its photo and, when analysed here or read from an identity
 * file, the identity and where a pose photo puts its face on the canvas.
 */
export interface PreparedIdentity {
  /** The face photo; absent for an identity file. */
  readonly photo?: Buffer;
  /** The pose photo, for servers that analyse it themselves (no local models). */
  readonly pose?: Buffer;
  /** The identity: the photo's largest face analysed here, or the identity file. Absent when the server analyses the photo. */
  readonly identity?: Identity;
  /** The pose photo's largest face fitted onto the canvas; absent without a pose (the identity's own placement then). */
  readonly keypoints?: FiveKeypoints;
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

/** A face photo as an identity, the way `instantid identity create` makes one: its largest face's embedding and keypoints. */
export async function photoIdentity(analysis: CliFaceAnalysis, photo: Buffer, path: string): Promise<Identity> {
  const { face, width, height } = await largestFaceOf(analysis.analyzer, photo, path);
  return createIdentity([{ embedding: face.embedding, kps: face.kps, width, height }], { models: analysis.models });
}

/** The pose photo's largest face (InstantID's choice), fitted whole onto the canvas with one scale factor and centred. */
async function poseKeypoints(analyzer: FaceAnalyzer, path: string, canvas: CanvasSize): Promise<FiveKeypoints> {
  const pose = await loadImage(path);
  const posed = largestFace(await analyzer.analyze(pose), `the pose photo ${path}`);
  return fitKeypoints(posed.kps, pose, canvas);
}

/**
 * Reads the photo and, with face models, analyses it here into an identity (the largest face's embedding
 * and keypoints), with the pose photo's face as the keypoints when one is given; an identity file is read
 * as it is. Without models a photo is left to the server. The bridges' `…FromIdentity` then draw the
 * keypoints (the pose's, else the face where its own photo had it) at the output size. Several identities
 * go through the composition API instead (bridge/composition.ts), where photos cannot keep their own
 * placement: each face, centred in its own photo, would land on the others.
 */
export async function prepareIdentity(options: PrepareOptions, openFaceAnalysis: OpenFaceAnalysis): Promise<PreparedIdentity> {
  const photo = options.face === undefined ? undefined : await readFile(options.face);
  const pose = options.pose ? await readFile(options.pose) : undefined;
  if (!options.models && photo) return { photo, pose };
  const analysis = options.models ? await openFaceAnalysis(options.models) : undefined;
  const identity = photo ? await photoIdentity(analysis!, photo, options.face!) : await loadIdentity(options.identity!);
  const keypoints = options.pose && analysis ? await poseKeypoints(analysis.analyzer, options.pose, options) : undefined;
  return { photo, identity, keypoints };
}

function noFaceIn(path: string) {
  return (error: unknown): never => {
    if (error instanceof InstantIdError && error.code === ErrorCode.NoFace)
      throw new InstantIdError(ErrorCode.NoFace, `${path}: ${error.message}`, { cause: error });
    throw error;
  };
}
