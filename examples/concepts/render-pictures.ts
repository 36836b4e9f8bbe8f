// Renders the pictures of docs/concepts.md with the SDK itself, from synthetic inputs (no photo, no model
// download). Build and run from the project root:
//   npx tsup examples/concepts/render-pictures.ts --format esm --out-dir .cache/examples --no-config --silent \
//     && node .cache/examples/render-pictures.js docs/images
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { renderKeypoints, savePng, drawFacePreview } from "../../core/index.js";
import { PORTRAIT_DETECTION, PORTRAIT_SIZE, syntheticPortrait } from "./synthetic-portrait.js";
import { syntheticFaceTokens, tokenHeatmap } from "./token-heatmap.js";
import { unetHooksDiagram } from "./unet-diagram.js";

/** The files {@link renderConceptPictures} writes, by what they show. */
export const CONCEPT_PICTURES = {
  facePreview: "face-preview.png",
  keypoints: "keypoints.png",
  tokens: "tokens.png",
  unetHooks: "unet-hooks.svg",
} as const;

/** Writes every concept picture into `dir` and returns their paths. */
export async function renderConceptPictures(dir: string): Promise<Record<keyof typeof CONCEPT_PICTURES, string>> {
  const path = (name: keyof typeof CONCEPT_PICTURES) => join(dir, CONCEPT_PICTURES[name]);
  const portrait = syntheticPortrait();
  await savePng(path("facePreview"), drawFacePreview(portrait, [PORTRAIT_DETECTION]));
  await savePng(path("keypoints"), renderKeypoints(PORTRAIT_DETECTION.kps, { width: PORTRAIT_SIZE, height: PORTRAIT_SIZE }));
  await savePng(path("tokens"), tokenHeatmap(await syntheticFaceTokens()));
  await writeFile(path("unetHooks"), unetHooksDiagram());
  return { facePreview: path("facePreview"), keypoints: path("keypoints"), tokens: path("tokens"), unetHooks: path("unetHooks") };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const written = await renderConceptPictures(process.argv[2] ?? "docs/images");
  console.log(Object.values(written).join("\n"));
}
