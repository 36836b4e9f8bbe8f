import { FaceAnalysis, type FaceAnalyzer } from "../../core/index.js";
import { loadFaceModelManifest, modelRef, type ModelRef } from "../../core/internal.js";
import { numberOption } from "./cli-values.js";
import type { CliArgs, CliCommand, CliOption } from "./command.js";

/** Face analysis opened from a models folder, with the models it runs (names and content hashes) for identity files. */
export interface CliFaceAnalysis {
  readonly analyzer: FaceAnalyzer;
  readonly models: readonly ModelRef[];
}

/** How faces are detected, from --det-threshold and --det-size; left out, models.json and the SDK decide. */
export interface FaceDetectionSettings {
  readonly threshold?: number;
  readonly size?: number;
}

/** Opens face analysis from `--models DIR` (a folder with models.json). */
export type OpenFaceAnalysis = (modelsDir: string, detection?: FaceDetectionSettings) => Promise<CliFaceAnalysis>;

/** The options of every command that detects faces; a NO_FACE error names them. */
export const detectionOptions: Record<string, CliOption> = {
  "det-threshold": { type: "string", value: "S", description: "Minimum face score, 0 to 1 (default 0.5); lower it when no face is found" },
  "det-size": {
    type: "string",
    value: "PX",
    description:
      "First detection size, a multiple of 32 (default 640 or models.json's); smaller sizes are tried after it. Models with a " +
      "fixed input size keep theirs",
  },
};

/** Reads --det-threshold and --det-size, checked once here. */
export function parseDetection(values: CliArgs["values"]): FaceDetectionSettings {
  return {
    ...(values["det-threshold"] === undefined
      ? {}
      : { threshold: numberOption(values, "det-threshold", (n) => n >= 0 && n <= 1, "a score from 0 to 1") }),
    ...(values["det-size"] === undefined
      ? {}
      : {
          size: numberOption(
            values,
            "det-size",
            (n) => Number.isInteger(n) && n >= 32 && n <= 4096 && n % 32 === 0,
            "a multiple of 32 from 32 to 4096",
          ),
        }),
  };
}

/** SCRFD + ArcFace from a folder's models.json, with the detection settings applied. */
export async function createFaceAnalysis(modelsDir: string, detection: FaceDetectionSettings = {}): Promise<FaceAnalysis> {
  if (detection.size === undefined) return FaceAnalysis.create({ models: modelsDir, threshold: detection.threshold });
  const manifest = await loadFaceModelManifest(modelsDir);
  return FaceAnalysis.create({
    detector: { ...manifest.detector, inputSize: detection.size },
    recognizer: manifest.recognizer,
    threshold: detection.threshold,
  });
}

/** The real opener: SCRFD + ArcFace from the folder's models.json, both files hashed. */
export const openFaceAnalysis: OpenFaceAnalysis = async (modelsDir, detection = {}) => {
  const manifest = await loadFaceModelManifest(modelsDir);
  const [analyzer, detector, recognizer] = await Promise.all([
    createFaceAnalysis(modelsDir, detection),
    modelRef(manifest.detector.path),
    modelRef(manifest.recognizer.path),
  ]);
  return { analyzer, models: [detector, recognizer] };
};

/**
 * A face-detecting command with --det-threshold and --det-size: each run hands the command an opener that
 * applies them, so commands built over an opener (and tests' fake openers) need no change.
 */
export function withDetectionOptions(make: (open: OpenFaceAnalysis) => CliCommand, open: OpenFaceAnalysis = openFaceAnalysis): CliCommand {
  const command = make(open);
  return {
    ...command,
    options: { ...command.options, ...detectionOptions },
    run: (args, io) => {
      const detection = parseDetection(args.values);
      return make((dir) => open(dir, detection)).run(args, io);
    },
  };
}
