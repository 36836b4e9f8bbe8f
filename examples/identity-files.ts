// Identity files: analyse photos once, save the person as a small file (embeddings, keypoints, model
// hashes; never the photo), load it anywhere, check it against a new photo, blend two people.
// Build and run from the project root, with a models folder holding models.json:
//   npx tsup examples/identity-files.ts --format esm --out-dir .cache/examples --no-config --silent \
//     && node .cache/examples/identity-files.js MODELS_DIR OUT_DIR A1.jpg A2.jpg --check A3.jpg --other B.jpg
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  createIdentity,
  FaceAnalysis,
  identityEmbeds,
  largestFace,
  loadFaceModelManifest,
  loadIdentity,
  loadImage,
  mixIdentities,
  modelRef,
  saveIdentity,
  type Identity,
} from "../core/index.js";

/** What {@link identityFilesExample} found: where the files went and how well the identity matches. */
export interface IdentityFilesResult {
  readonly identityPath: string;
  readonly blendPath: string;
  /** Shape of the Resampler input the loaded identity gives, [1, N, 512]. */
  readonly embedsShape: readonly number[];
  /** Cosine similarity of the identity to the largest face of `check` (same person) and of `other`. */
  readonly sameSimilarity: number;
  readonly otherSimilarity: number;
  /** The blend's similarity to the identity and to `other`: it lies between the two people. */
  readonly blendToIdentity: number;
  readonly blendToOther: number;
}

function mean(identity: Identity): Float32Array {
  const out = new Float32Array(identity.embeddings[0].length);
  for (const e of identity.embeddings) e.forEach((v, i) => (out[i] += v / identity.embeddings.length));
  return out;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((v, i) => ((dot += v * b[i]), (na += v * v), (nb += b[i] * b[i])));
  return dot / Math.sqrt(na * nb);
}

/** Makes an identity from `photos`, saves and reloads it, compares it with `check` and `other`, and blends it 70/30 with `other`. */
export async function identityFilesExample(
  models: string,
  outDir: string,
  photos: readonly string[],
  check: string,
  other: string,
): Promise<IdentityFilesResult> {
  const analysis = await FaceAnalysis.create({ models });
  const manifest = await loadFaceModelManifest(models);
  const recognizer = await modelRef(manifest.recognizer.path); // the identity records which model made it
  const faceOf = async (photo: string) => {
    const image = await loadImage(photo);
    return { face: largestFace(await analysis.analyze(image)), image };
  };

  const references = [];
  for (const photo of photos) {
    const { face, image } = await faceOf(photo);
    references.push({ embedding: face.embedding, kps: face.kps, width: image.width, height: image.height });
  }
  const identityPath = join(outDir, "person.identity.safetensors");
  await saveIdentity(identityPath, createIdentity(references, { combine: "average", models: [recognizer] }));

  // Elsewhere, later, with no photo: the file is all a backend needs.
  const person = await loadIdentity(identityPath, { dimension: 512 });
  const embeds = identityEmbeds(person); // feed to computeImageTokens, or send to an A1111 server as ipadapter_input

  const { face: otherFace, image: otherImage } = await faceOf(other);
  const stranger = createIdentity(
    [{ embedding: otherFace.embedding, kps: otherFace.kps, width: otherImage.width, height: otherImage.height }],
    { models: [recognizer] },
  );
  const blendPath = join(outDir, "blend.identity.safetensors");
  await saveIdentity(blendPath, mixIdentities([person, stranger], [0.7, 0.3]));
  const blend = mean(await loadIdentity(blendPath));

  return {
    identityPath,
    blendPath,
    embedsShape: embeds.shape,
    sameSimilarity: cosine(mean(person), (await faceOf(check)).face.embedding),
    otherSimilarity: cosine(mean(person), otherFace.embedding),
    blendToIdentity: cosine(blend, mean(person)),
    blendToOther: cosine(blend, otherFace.embedding),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { check: { type: "string" }, other: { type: "string" } } });
  const [models, outDir, ...photos] = positionals;
  if (!models || !outDir || photos.length === 0 || !values.check || !values.other) {
    console.error("usage: identity-files MODELS_DIR OUT_DIR PHOTO... --check PHOTO --other PHOTO");
    process.exit(2);
  }
  console.log(await identityFilesExample(models, outDir, photos, values.check, values.other));
}
