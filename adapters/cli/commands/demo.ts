import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ErrorCode, InstantIdError } from "../../../core/index.js";
import type { CliIo } from "../command.js";
import { defineCommand } from "../command.js";
import { generateImage, prepareFace } from "../demo/pipeline.js";
import { inspectRealModels, REAL_MODEL_LAYOUT } from "../demo/real-models.js";
import { convertIdentityNetOnFirstUse, prepareRealRun } from "../demo/real-run.js";
import { formatTimingTable, writeReport, type DemoReport } from "../demo/report.js";
import { prepareSyntheticRun, SYNTHETIC_NOTICES } from "../demo/synthetic-run.js";
import { StageTimer } from "../demo/timings.js";
import { createProgressBar } from "../progress-bar.js";

function integer(value: unknown, option: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `Expected an integer from ${min} to ${max} for --${option} but received ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function number(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new InstantIdError(ErrorCode.InvalidOption, `Expected a number ≥ 0 for --${option} but received ${JSON.stringify(value)}`);
  return n;
}

async function runSynthetic(
  values: Record<string, unknown>,
  outDir: string,
  io: CliIo,
  timer: StageTimer,
  notes: string[],
): Promise<DemoReport> {
  const settings = {
    cacheDir: resolve((values.cache as string | undefined) ?? join(tmpdir(), "instantid-demo")),
    outDir,
    steps: integer(values.steps, "steps", 4, 1, 200),
    seed: integer(values.seed, "seed", 42, 0, 0xffffffff),
    guidance: number(values.guidance, "guidance", 5),
  };
  for (const notice of [...SYNTHETIC_NOTICES, ...notes]) io.stdout(`NOTE: ${notice}\n`);
  const { face, generation, models } = await timer.time(
    "build tiny models",
    () => prepareSyntheticRun(settings),
    (r) => (r.models.cached ? "cached" : `into ${r.models.dir}`),
  );
  const prepared = await prepareFace(face, timer);
  const { output, patchedBlocks } = await generateImage(face, prepared, generation, timer, createProgressBar(io));
  return {
    mode: "synthetic",
    notices: [...SYNTHETIC_NOTICES, ...notes],
    models: { unet: models.unet, identityNet: models.identityNet, vaeDecoder: models.vaeDecoder, imageAdapter: models.imageAdapter },
    settings: {
      steps: generation.steps,
      guidance: generation.guidance,
      seed: generation.seed,
      width: face.width,
      height: face.height,
      patchedBlocks,
    },
    outputs: { keypointImage: prepared.keypointPath, output },
    stages: timer.stages,
    totalMs: timer.totalMs(),
    missing: [],
  };
}

async function runReal(
  modelsDir: string,
  photo: string,
  values: Record<string, unknown>,
  outDir: string,
  io: CliIo,
  timer: StageTimer,
): Promise<DemoReport> {
  const models = inspectRealModels(modelsDir);
  const settings = {
    outDir,
    steps: integer(values.steps, "steps", 30, 1, 200),
    seed: integer(values.seed, "seed", 42, 0, 0xffffffff),
    guidance: number(values.guidance, "guidance", 5),
    prompt: values.prompt as string | undefined,
    negativePrompt: values["negative-prompt"] as string | undefined,
  };
  const notices: string[] = [];
  const { detected, face, generation } = await prepareRealRun(models, photo, settings, timer, notices);
  for (const notice of notices) io.stdout(`NOTE: ${notice}\n`);
  await convertIdentityNetOnFirstUse(models, timer, createProgressBar(io));
  const prepared = await prepareFace(face, timer);
  const outputs: Record<string, string> = { keypointImage: prepared.keypointPath };
  if (generation) {
    outputs.output = (await generateImage(face, prepared, generation, timer, createProgressBar(io))).output;
  } else {
    io.stdout(
      `Face analysis, keypoint image and face tokens ran. Generation needs models that are not in ` +
        `${models.dir}:\n${models.missing.map((m) => `  - ${m}\n`).join("")}`,
    );
  }
  return {
    mode: "real",
    notices,
    models: { faceModels: models.faceModels, imageAdapter: models.imageAdapter, ...(models.generation ?? {}) },
    settings: {
      photo,
      faceScore: detected.score,
      width: face.width,
      height: face.height,
      ...(generation
        ? {
            steps: generation.steps,
            guidance: generation.guidance,
            seed: generation.seed,
            prompt: settings.prompt ?? "",
            negativePrompt: settings.negativePrompt ?? null,
          }
        : {}),
    },
    outputs,
    stages: timer.stages,
    totalMs: timer.totalMs(),
    missing: models.missing,
  };
}

export const demoCommand = defineCommand({
  path: ["demo"],
  opensSessions: true,
  summary:
    "Run the whole InstantID pipeline end to end: keypoint image, face tokens, patched UNet, IdentityNet, denoising, decoding.\n" +
    "Without models it builds tiny SYNTHETIC models (random weights) and uses sample keypoints and a random embedding, so it " +
    "runs anywhere in seconds.\n" +
    `With --models DIR (or INSTANTID_MODELS) and --face PHOTO it runs the real models: ${Object.values(REAL_MODEL_LAYOUT).join(", ")}.\n` +
    "instantid/ is InstantX's repository as published (its ControlNetModel/ is converted to identitynet.onnx on first use); " +
    "sdxl/ is optimum's SDXL export (its UNet is patched on first use, cached beside).",
  options: {
    out: { type: "string", short: "o", value: "DIR", default: "./demo-out", description: "Where kps.png, output.png and report.json go" },
    models: {
      type: "string",
      short: "m",
      value: "DIR",
      description: "Real models folder (as `instantid models pull` fills it, plus sdxl/); default $INSTANTID_MODELS",
    },
    face: { type: "string", value: "PHOTO", description: "A face photo, for the real models" },
    steps: { type: "string", value: "N", description: "Denoising steps (default 4 synthetic, 30 real)" },
    guidance: { type: "string", value: "G", default: "5", description: "Classifier-free guidance scale" },
    seed: { type: "string", value: "N", default: "42", description: "Seed of the noise (and of the synthetic inputs)" },
    cache: { type: "string", value: "DIR", description: "Where the synthetic models are built (default: the system temp folder)" },
    prompt: {
      type: "string",
      value: "TEXT",
      description: 'Prompt for the real models, encoded with sdxl/tokenizer*, sdxl/text_encoder* (default "")',
    },
    "negative-prompt": { type: "string", value: "TEXT", description: "Negative prompt for the real models (default none: zeros, as SDXL)" },
  },
  examples: [
    "npm run demo",
    "instantid demo --out demo-out --steps 8",
    'instantid demo --models ~/instantid-models --face me.jpg --prompt "a watercolor portrait"',
  ],
  async run({ values }, io) {
    const outDir = resolve((values.out as string | undefined) ?? "./demo-out");
    await mkdir(outDir, { recursive: true });
    const timer = new StageTimer();
    const modelsDir = (values.models as string | undefined) ?? process.env.INSTANTID_MODELS;
    const photo = values.face as string | undefined;
    if (values.models && !photo)
      throw new InstantIdError(
        ErrorCode.InvalidOption,
        "Expected --face PHOTO with --models: the real models need a face photo. Leave both out for the synthetic demo.",
      );
    if ((values.prompt !== undefined || values["negative-prompt"] !== undefined) && !photo) {
      throw new InstantIdError(
        ErrorCode.InvalidOption,
        "--prompt and --negative-prompt need --models DIR and --face PHOTO: the synthetic models have no text encoders.",
      );
    }
    if (photo && !modelsDir)
      throw new InstantIdError(
        ErrorCode.InvalidOption,
        "Expected --models DIR (or INSTANTID_MODELS) with --face: a photo needs the real face models. Run `instantid models pull " +
          "all --dir DIR` first.",
      );
    const report =
      modelsDir && photo
        ? await runReal(modelsDir, photo, values, outDir, io, timer)
        : await runSynthetic(
            values,
            outDir,
            io,
            timer,
            modelsDir ? [`INSTANTID_MODELS is set (${modelsDir}) but no --face PHOTO was given, so the synthetic models ran.`] : [],
          );
    const reportPath = await writeReport(outDir, report);
    io.stdout(`\n${formatTimingTable(report.stages, report.totalMs)}\n`);
    for (const [what, path] of Object.entries({ ...report.outputs, report: reportPath })) io.stdout(`wrote ${what}: ${path}\n`);
    return 0;
  },
});
