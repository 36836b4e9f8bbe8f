import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import { ErrorCode, InstantIdError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { parseOptions } from "../validate.js";

/** The file name of the manifest inside a face-models folder. */
export const manifestFileName = "models.json";

const normalization = {
  /** Subtracted from every pixel value (0-255). */
  mean: z.number().finite().optional(),
  /** Pixels are divided by it after the mean is subtracted. */
  std: z.number().finite().positive().optional(),
  /** Plane order the network was trained on. */
  channelOrder: z.enum(["RGB", "BGR"]).optional(),
};

/** A face detector entry of a model manifest: an SCRFD ONNX file and how it wants its input. */
export const detectorModelSchema = z.object({
  path: z.string().min(1),
  kind: z.literal("scrfd").default("scrfd"),
  /** Square detection size for dynamic models (default 640); fixed-size models use their own. */
  inputSize: z.number().int().min(32).multipleOf(32).optional(),
  ...normalization,
});

/** A face recognizer entry of a model manifest: an ArcFace-style ONNX file and how it wants its input. */
export const recognizerModelSchema = z.object({
  path: z.string().min(1),
  kind: z.literal("arcface").default("arcface"),
  /** Crop size; a multiple of 112 or 128 (default: the model's input size, else 112). */
  inputSize: z.number().int().positive().optional(),
  ...normalization,
});

/**
 * The `models.json` format, read by face analysis and written by `models pull`: which file detects, which
 * recognises, and their preprocessing. Paths are relative to the file.
 */
export const faceModelManifestSchema = z.object({
  /** Free text for a person opening the file. */
  about: z.string().optional(),
  detector: detectorModelSchema,
  recognizer: recognizerModelSchema,
});

/** A detector entry as validated. */
export type DetectorModel = z.output<typeof detectorModelSchema>;
/** A recognizer entry as validated. */
export type RecognizerModel = z.output<typeof recognizerModelSchema>;
/** A validated manifest, its paths made absolute. */
export type FaceModelManifest = z.output<typeof faceModelManifestSchema>;
/** A manifest as written to a file: paths relative to it, defaults may be left out. */
export type FaceModelManifestInput = z.input<typeof faceModelManifestSchema>;

/** The manifest file for a path that is either `models.json` itself or the folder holding it. */
async function manifestFile(path: string): Promise<string> {
  try {
    return (await stat(path)).isDirectory() ? join(path, manifestFileName) : path;
  } catch (error) {
    throw new InstantIdError(
      ErrorCode.ModelNotFound,
      `The face model manifest ${path} does not exist. Pass a folder containing ${manifestFileName} (or the file itself) with ` +
        `"detector" and "recognizer" entries.`,
      { cause: error, details: { path } },
    );
  }
}

/** Reads and validates a `models.json` (or the folder holding one) and resolves its model paths beside it. */
export async function loadFaceModelManifest(path: string): Promise<FaceModelManifest> {
  const file = await manifestFile(path);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new InstantIdError(
      ErrorCode.ModelNotFound,
      `Cannot read the face model manifest ${file}: ${(error as Error).message}. It must be JSON like {"detector": {"path": ` +
        `"det_500m.onnx"}, "recognizer": {"path": "recognizer.onnx"}}.`,
      { cause: error, details: { path: file } },
    );
  }
  const manifest = parseOptions(faceModelManifestSchema, json, `face model manifest ${file}`);
  const base = dirname(resolve(file));
  return {
    ...manifest,
    detector: { ...manifest.detector, path: resolve(base, manifest.detector.path) },
    recognizer: { ...manifest.recognizer, path: resolve(base, manifest.recognizer.path) },
  };
}

/**
 * Writes `models.json` into a face-models folder (atomically) and returns its path. The manifest is validated
 * with the schema the reader uses first, so a written manifest always loads.
 */
export async function writeFaceModelManifest(folder: string, manifest: FaceModelManifestInput): Promise<string> {
  const checked = parseOptions(faceModelManifestSchema, manifest, `face model manifest for ${folder}`);
  const path = join(folder, manifestFileName);
  await writeFileAtomic(path, `${JSON.stringify(checked, null, 2)}\n`);
  return path;
}
