import { existsSync, readFileSync } from "node:fs";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { buildSyntheticModels } from "../../../../core/synthetic/build-models.js";
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
      "build tiny models", "keypoint image", "load image adapter", "face tokens", "patch UNet", "load IdentityNet", "denoise + decode",
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
    expect([at(98, 113), at(128, 146), at(2, 2)]).toEqual([[255, 0, 0], [0, 0, 255], [0, 0, 0]]);
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
    for (const argv of [["--models", "anywhere"], ["--face", "me.jpg"]]) {
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
    expect(await runCli(commands, ["demo", "--models", dir, "--face", sharedPath("real", "images", "obama_1.jpg"), "--out", out], io)).toBe(0);
    expect(existsSync(join(out, "kps.png"))).toBe(true);
    expect(existsSync(join(out, "output.png"))).toBe(false);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.mode).toBe("real");
    expect(report.missing.map((m: string) => m.split(":")[0])).toEqual(["sdxl/unet/model.onnx", "sdxl/vae_decoder/model.onnx", "instantid/identitynet.onnx"]);
    expect(stdout()).toContain("Generation needs models that are not in");
    expect(report.stages.map((s: { stage: string }) => s.stage)).toContain("face analysis");
  });
});
