import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { inspectRealModels, REAL_MODEL_LAYOUT } from "../../../../adapters/cli/demo/real-models.js";
import { convertIdentityNetOnFirstUse } from "../../../../adapters/cli/demo/real-run.js";
import { StageTimer } from "../../../../adapters/cli/demo/timings.js";
import { writeRandomControlNet } from "../../../../core/synthetic/random-checkpoint.js";
import { loadControlNet } from "../../../../core/controlnet/controlnet-model.js";
import { tempDir } from "../../../helpers/shared.js";
import { REFERENCE_CONFIGS } from "../../../core/convert/reference-cases.js";

/** A models folder laid out as published: InstantX's repository in instantid/ (no ONNX IdentityNet), optimum's SDXL export in sdxl/. */
async function publishedFolder(): Promise<string> {
  const dir = await tempDir();
  for (const file of [
    REAL_MODEL_LAYOUT.faceModels,
    REAL_MODEL_LAYOUT.imageAdapter,
    REAL_MODEL_LAYOUT.unet,
    "sdxl/unet/model.onnx_data",
    REAL_MODEL_LAYOUT.vaeDecoder,
  ]) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), "");
  }
  await writeRandomControlNet(join(dir, "instantid", "ControlNetModel"), REFERENCE_CONFIGS.published.config);
  return dir;
}

describe("the demo's real models folder, as the files are published", () => {
  it("takes InstantX's ControlNetModel/ for the IdentityNet and converts it once, on first use, beside it", async () => {
    const dir = await publishedFolder();
    const models = inspectRealModels(dir);
    expect(models.missing).toEqual([]);
    expect(models.generation).toEqual({
      unet: join(dir, "sdxl/unet/model.onnx"),
      vaeDecoder: join(dir, "sdxl/vae_decoder/model.onnx"),
      identityNet: join(dir, "instantid/identitynet.onnx"),
      identityNetSource: join(dir, "instantid/ControlNetModel"),
    });
    const timer = new StageTimer();
    await convertIdentityNetOnFirstUse(models, timer);
    expect(timer.stages.map((s) => s.stage)).toEqual(["convert IdentityNet"]);
    expect((await loadControlNet(join(dir, "instantid/identitynet.onnx"))).residuals.down).toHaveLength(9);
    const again = inspectRealModels(dir);
    expect(again.generation?.identityNetSource).toBeUndefined();
    const later = new StageTimer();
    await convertIdentityNetOnFirstUse(again, later);
    expect(later.stages).toEqual([]);
  });

  it("lists each generation model it lacks with where it comes from", async () => {
    const dir = await tempDir();
    for (const file of [REAL_MODEL_LAYOUT.faceModels, REAL_MODEL_LAYOUT.imageAdapter]) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), "");
    }
    const { missing, generation } = inspectRealModels(dir);
    expect(generation).toBeUndefined();
    expect(missing).toEqual([
      expect.stringMatching(
        new RegExp(
          "^sdxl/unet/model\\.onnx: the unet/ folder of optimum's ONNX export of SDXL " +
            "\\(`optimum-cli export onnx --model stabilityai/stable-diffusion-xl-base-1\\.0 DIR/sdxl`\\); " +
            "residual inputs and the image attention are patched in on first use",
        ),
      ),
      expect.stringMatching(/^sdxl\/vae_decoder\/model\.onnx: the vae_decoder\/ folder of optimum's/),
      expect.stringMatching(
        new RegExp(
          "^instantid/identitynet\\.onnx: InstantX's IdentityNet, instantid/ControlNetModel/ .*" +
            "`instantid models pull instantid`.*; put it at .*instantid/ControlNetModel$",
        ),
      ),
    ]);
    expect(existsSync(join(dir, "instantid", "identitynet.onnx"))).toBe(false);
  });
});
