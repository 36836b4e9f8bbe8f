import {
  createComposition,
  loadIdentity,
  loadImage,
  type Composition,
  type CompositionIdentityOptions,
  type RgbImage,
} from "../../../core/index.js";
import { poseFromImage, type PoseFaces, type RegionSpec } from "../../../core/internal.js";
import type { OpenFaceAnalysis } from "../face-analysis.js";
import type { ComposeArgs } from "./args.js";
import type { RegionArg } from "./region-arg.js";

/** The composition the options describe, and the pose photo (for the preview's background). */
export interface CliLayout {
  readonly composition: Composition;
  readonly pose?: RgbImage;
}

async function regionOf(arg: RegionArg | undefined): Promise<RegionSpec | undefined> {
  if (!arg || !("maskFile" in arg)) return arg;
  return { mask: await loadImage(arg.maskFile) };
}

async function poseFaces(
  args: ComposeArgs,
  openFaceAnalysis: OpenFaceAnalysis,
): Promise<{ image: RgbImage; faces: PoseFaces } | undefined> {
  if (!args.pose) return undefined;
  const { analyzer } = await openFaceAnalysis(args.models!);
  const { pose, image } = await poseFromImage(analyzer, args.pose);
  return { image, faces: pose };
}

/** Loads the identity files, masks and pose photo, and resolves the composition they describe. */
export async function buildCliLayout(args: ComposeArgs, openFaceAnalysis: OpenFaceAnalysis): Promise<CliLayout> {
  const pose = await poseFaces(args, openFaceAnalysis);
  // Without --size: the pose photo's size floored to whole latent pixels (multiples of 8), else 1024².
  const size = args.size ?? (pose ? { width: pose.image.width & ~7, height: pose.image.height & ~7 } : { width: 1024, height: 1024 });
  const identities: CompositionIdentityOptions[] = [];
  for (const [i, path] of args.identities.entries()) {
    const rect = args.kpsRects[i];
    const poseFace = args.poseFaces?.[i];
    identities.push({
      identity: await loadIdentity(path),
      name: `identity ${i + 1} (${path})`,
      keypoints: rect ? { rect } : poseFace !== undefined ? { poseFace } : undefined,
      region: await regionOf(args.regions[i]),
      adapterScale: args.adapterScales[i],
      identityNetScale: args.identityNetScales[i],
      start: args.starts[i],
      end: args.ends[i],
      prompt: args.regionPrompts[i],
    });
  }
  const composition = createComposition({
    ...size,
    prompt: args.prompt,
    negativePrompt: args.negative,
    identities,
    pose: pose?.faces,
    overlap: args.overlap,
  });
  return { composition, pose: pose?.image };
}
