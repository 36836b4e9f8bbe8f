import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { buildSyntheticModels } from "../../../../core/synthetic/build-models.js";
import { TINY_UNET } from "../../../../core/synthetic/unet-config.js";
import { writeTinySdxlText } from "../../../helpers/text-models.js";
import { inspectRealModels } from "../../../../adapters/cli/demo/real-models.js";
import { prepareRealRun } from "../../../../adapters/cli/demo/real-run.js";
import { StageTimer } from "../../../../adapters/cli/demo/timings.js";
import { encodeSdxlPrompt } from "../../../../core/text/sdxl-text-encoder.js";
import { sdxlTextModels } from "../../../../core/text/sdxl-text-models.js";
import { describeShared, sharedPath, tempDir } from "../../../helpers/shared.js";
import { captureIo } from "./capture.js";

describe("instantid demo (synthetic models)", () => {
  // One model cache for the file: the second run reuses what the first built.
  const cache = tempDir();

  it("builds the tiny models, runs every stage into --out and writes kps.png, output.png and a timing report", async () => {
    const out = await tempDir();
    const { io, out: stdout, err } = captureIo();
    const code = await runCli(commands, ["demo", "--out", out, "--cache", await cache, "--steps", "2"], io);
    expect(err()).toContain("denoise 2/2");
    expect(code).toBe(0);
    expect(stdout()).toContain("SYNTHETIC: random weights");
    expect(stdout()).toContain("RANDOM 512-d vector");
    for (const file of ["kps.png", "output.png"]) {
      const meta = await sharp(join(out, file)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["png", 256, 256]);
    }
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.mode).toBe("synthetic");
    expect(report.settings).toMatchObject({ steps: 2, patchedBlocks: 11 });
    expect(report.stages.map((s: { stage: string }) => s.stage)).toEqual([
      "build tiny models",
      "keypoint image",
      "load image adapter",
      "face tokens",
      "patch UNet",
      "load IdentityNet",
      "denoise + decode",
    ]);
    expect(report.notices.join(" ")).toContain("random weights");
    expect(stdout()).toMatch(/total\s+\d+ ms/);
  });

  it("the keypoint image has the five coloured keypoints of the sample face", async () => {
    const out = await tempDir();
    await runCli(commands, ["demo", "--out", out, "--cache", await cache, "--steps", "1"], captureIo().io);
    const { data, info } = await sharp(join(out, "kps.png")).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    // Left eye (196, 226) on 512 → (98, 113) on 256: red; nose (128, 146): blue; a corner: black.
    expect([at(98, 113), at(128, 146), at(2, 2)]).toEqual([
      [255, 0, 0],
      [0, 0, 255],
      [0, 0, 0],
    ]);
  });
});

describe("instantid demo (failure paths)", () => {
  it("a --models folder that does not exist fails with MODEL_NOT_FOUND and says how to pull the models", async () => {
    const missing = join(await tempDir(), "nowhere");
    const { io, err } = captureIo();
    expect(await runCli(commands, ["demo", "--models", missing, "--face", "me.jpg", "--out", await tempDir()], io)).toBe(1);
    expect(err()).toContain("[MODEL_NOT_FOUND]");
    expect(err()).toContain(`instantid models pull all --dir ${missing}`);
  });

  it("a --models folder without the Image Adapter names the missing file and the pull that fetches it", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "antelopev2"));
    await symlink(sharedPath("real", "models", "models.json"), join(dir, "antelopev2", "models.json")).catch(() => undefined);
    const { io, err } = captureIo();
    expect(await runCli(commands, ["demo", "--models", dir, "--face", "me.jpg", "--out", await tempDir()], io)).toBe(1);
    expect(err()).toMatch(/antelopev2\/models\.json is missing|instantid\/ip-adapter\.bin is missing/);
    expect(err()).toContain("instantid models pull");
  });

  it("--models without --face and --face without models are refused before any work", async () => {
    for (const argv of [
      ["--models", "anywhere"],
      ["--face", "me.jpg"],
    ]) {
      const { io, err } = captureIo();
      const env = process.env.INSTANTID_MODELS;
      delete process.env.INSTANTID_MODELS;
      try {
        expect(await runCli(commands, ["demo", ...argv, "--out", await tempDir()], io)).toBe(2);
      } finally {
        if (env !== undefined) process.env.INSTANTID_MODELS = env;
      }
      expect(err()).toContain("[INVALID_OPTION]");
    }
  });

  it("a bad --steps value is an INVALID_OPTION naming the option", async () => {
    const { io, err } = captureIo();
    expect(await runCli(commands, ["demo", "--steps", "zero", "--out", await tempDir(), "--cache", await tempDir()], io)).toBe(2);
    expect(err()).toContain("--steps");
  });
});

describeShared("instantid demo (real face models)", "real/models/models.json", () => {
  it("runs face analysis, the keypoint image and the face tokens, and lists the generation models it lacks with what to do", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "instantid"));
    await symlink(sharedPath("real", "models"), join(dir, "antelopev2"));
    // The face models are real; the Image Adapter is a synthetic one (same key layout, 512-d input).
    const synthetic = await buildSyntheticModels(await tempDir());
    await symlink(synthetic.imageAdapter, join(dir, "instantid", "ip-adapter.bin"));
    const out = await tempDir();
    const { io, out: stdout } = captureIo();
    expect(await runCli(commands, ["demo", "--models", dir, "--face", sharedPath("real", "images", "obama_1.jpg"), "--out", out], io)).toBe(
      0,
    );
    expect(existsSync(join(out, "kps.png"))).toBe(true);
    expect(existsSync(join(out, "output.png"))).toBe(false);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.mode).toBe("real");
    expect(report.missing.map((m: string) => m.split(":")[0])).toEqual([
      "sdxl/unet/model.onnx",
      "sdxl/vae_decoder/model.onnx",
      "instantid/identitynet.onnx",
    ]);
    expect(stdout()).toContain("Generation needs models that are not in");
    expect(report.stages.map((s: { stage: string }) => s.stage)).toContain("face analysis");
  });
});

describeShared("instantid demo --prompt (real face models, tiny generation and text models)", "real/models/models.json", () => {
  /** A models folder: the real face models, synthetic InstantID/SDXL models and a tiny text export in sdxl/. */
  async function modelsFolder(): Promise<string> {
    const dir = await tempDir();
    const synthetic = await buildSyntheticModels(await tempDir());
    await Promise.all(["instantid", "sdxl/unet", "sdxl/vae_decoder"].map((sub) => mkdir(join(dir, sub), { recursive: true })));
    await symlink(sharedPath("real", "models"), join(dir, "antelopev2"));
    await symlink(synthetic.imageAdapter, join(dir, "instantid", "ip-adapter.bin"));
    await symlink(synthetic.identityNet, join(dir, "instantid", "identitynet.onnx"));
    await symlink(synthetic.unet, join(dir, "sdxl", "unet", "model.onnx"));
    await symlink(synthetic.vaeDecoder, join(dir, "sdxl", "vae_decoder", "model.onnx"));
    await writeTinySdxlText(join(dir, "sdxl"), "int32", { width: 24, width2: 40, pooled: TINY_UNET.pooledDim });
    return dir;
  }

  it("encodes --prompt and --negative-prompt with sdxl/'s tokenizers and text encoders for the generation (as encodeSdxlPrompt)", async () => {
    const dir = await modelsFolder();
    const timer = new StageTimer();
    const notices: string[] = [];
    const settings = { outDir: await tempDir(), steps: 1, seed: 1, guidance: 5, prompt: "a watercolor portrait", negativePrompt: "blurry" };
    const { generation } = await prepareRealRun(
      inspectRealModels(dir),
      sharedPath("real", "images", "obama_1.jpg"),
      settings,
      timer,
      notices,
    );
    const expected = await encodeSdxlPrompt(sdxlTextModels(join(dir, "sdxl")), {
      prompt: "a watercolor portrait",
      negativePrompt: "blurry",
    });
    expect(generation!.prompt.embeds.data).toEqual(expected.embeds.data);
    expect(generation!.prompt.negativePooled!.data).toEqual(expected.negativePooled.data);
    expect(timer.stages.map((s) => s.stage)).toContain("encode prompt");
    expect(notices).toEqual([]);
  });

  it("encodes the empty prompt (not zeros) when the text models are there and no --prompt is given", async () => {
    const dir = await modelsFolder();
    const settings = { outDir: await tempDir(), steps: 1, seed: 1, guidance: 5 };
    const { generation } = await prepareRealRun(
      inspectRealModels(dir),
      sharedPath("real", "images", "obama_1.jpg"),
      settings,
      new StageTimer(),
    );
    const expected = await encodeSdxlPrompt(sdxlTextModels(join(dir, "sdxl")), { prompt: "" });
    expect(generation!.prompt.embeds.data).toEqual(expected.embeds.data);
    expect(generation!.prompt.embeds.data.some((v) => v !== 0)).toBe(true);
  });

  it("names the missing text encoder when --prompt is given and sdxl/text_encoder_2 is absent", async () => {
    const dir = await modelsFolder();
    await rm(join(dir, "sdxl", "text_encoder_2"), { recursive: true });
    const { io, err } = captureIo();
    expect(
      await runCli(
        commands,
        ["demo", "--models", dir, "--face", sharedPath("real", "images", "obama_1.jpg"), "--out", await tempDir(), "--prompt", "a cat"],
        io,
      ),
    ).toBe(1);
    expect(err()).toContain("[MODEL_NOT_FOUND]");
    expect(err()).toContain(join("sdxl", "text_encoder_2", "model.onnx"));
  });
});

describe("instantid demo --prompt without real models", () => {
  it("is refused: the synthetic models have no text encoders", async () => {
    const { io, err } = captureIo();
    expect(await runCli(commands, ["demo", "--prompt", "a cat", "--out", await tempDir(), "--cache", await tempDir()], io)).toBe(2);
    expect(err()).toContain("--prompt and --negative-prompt need --models DIR and --face PHOTO");
  });
});
