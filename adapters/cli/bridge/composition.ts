import { readFile } from "node:fs/promises";
import { createComposition, loadIdentity, type BBox, type Composition, type FaceAnalyzer } from "../../../core/index.js";
import { invalidOption, poseFromImage } from "../../../core/internal.js";
import type { OpenFaceAnalysis } from "../face-analysis.js";
import { photoIdentity } from "./faces.js";
import type { BridgeArgs } from "./options.js";

/** Several identities of a bridge call as a composition, and each identity's face photo (undefined for an identity file). */
export interface BridgeComposition {
  readonly composition: Composition;
  readonly photos: readonly (Buffer | undefined)[];
}

/** Column `index` of `count` side-by-side columns of the picture, left to right, as a region rectangle. */
export function columnRect(index: number, count: number, width: number, height: number): BBox {
  return [Math.round((index * width) / count), 0, Math.round(((index + 1) * width) / count), height];
}

async function poseFaces(analyzer: FaceAnalyzer | undefined, path: string | undefined) {
  return path ? (await poseFromImage(analyzer!, path)).pose : undefined;
}

/**
 * The composition of a bridge call with several identities (`--face` photos first, then `--identity`
 * files): side-by-side column regions left to right, keypoints from the `--pose` photo's faces left to
 * right or fitted into each column's face slot, one `--adapter-scale` / `--identitynet-scale` for all. The same
 * composition `instantid compose` builds from those regions, so its checks apply (NO_FACE for more
 * identities than pose faces, warnings for keypoints outside their column).
 * @throws InstantIdError INVALID_OPTION without `--models` where photos or a pose photo need analysing.
 */
export async function bridgeComposition(args: BridgeArgs, openFaceAnalysis: OpenFaceAnalysis): Promise<BridgeComposition> {
  if (!args.models && (args.faces.length || args.pose)) {
    throw invalidOption(
      "--models",
      `a face models folder: several identities are laid out here, which needs the keypoints and embedding of each ` +
        `${args.faces.length ? "--face photo" : "--pose face"} (or use --identity files without --pose)`,
      undefined,
    );
  }
  const analysis = args.models ? await openFaceAnalysis(args.models) : undefined;
  const photos = await Promise.all(args.faces.map((path) => readFile(path)));
  const identities = [
    ...(await Promise.all(photos.map((photo, i) => photoIdentity(analysis!, photo, args.faces[i])))),
    ...(await Promise.all(args.identities.map((path) => loadIdentity(path)))),
  ];
  const paths = [...args.faces, ...args.identities];
  const composition = createComposition({
    width: args.width,
    height: args.height,
    prompt: args.prompt,
    negativePrompt: args.negative,
    pose: await poseFaces(analysis?.analyzer, args.pose),
    identities: identities.map((identity, i) => ({
      identity,
      name: `identity ${i + 1} (${paths[i]})`,
      region: { rect: columnRect(i, identities.length, args.width, args.height) },
      adapterScale: args.adapterScale,
      identityNetScale: args.identityNetScale,
    })),
  });
  return { composition, photos };
}
