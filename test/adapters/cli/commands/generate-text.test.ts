import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { generate } from "../../../../adapters/onnx-sdxl/generate.js";
import { TINY_UNET } from "../../../../core/synthetic/unet-config.js";
import { readSafetensors } from "../../../../core/tensor/safetensors.js";
import { encodeSdxlPrompt } from "../../../../core/text/sdxl-text-encoder.js";
import type { SdxlTextModels } from "../../../../core/text/sdxl-text-models.js";
import { tempDir } from "../../../helpers/shared.js";
import { writeTinySdxlText } from "../../../helpers/text-models.js";
import { tinySyntheticModels } from "../../onnx-sdxl/tiny-synthetic.js";
import { captureIo } from "./capture.js";

describe("instantid generate --prompt (tiny SDXL export in optimum's layout)", () => {
  let exportDir: string;
  let unet: string;
  let text: SdxlTextModels;
  beforeAll(async () => {
    exportDir = await tempDir();
    text = (await writeTinySdxlText(exportDir, "int32", { width: 24, width2: 40, pooled: TINY_UNET.pooledDim })).models;
    unet = join(exportDir, "unet", "model.onnx");
    await mkdir(join(exportDir, "unet"));
    await copyFile((await tinySyntheticModels()).unet, unet);
  });
  const settings = ["--width", "64", "--height", "64", "--steps", "2", "--seed", "9"];

  it("encodes --prompt and --negative-prompt with the text models beside the UNet, as the library does", async () => {
    const out = await tempDir();
    const { io, out: stdout } = captureIo();
    const argv = [
      "generate",
      "--unet",
      unet,
      "--prompt",
      "A cat",
      "--negative-prompt",
      "the",
      ...settings,
      "--out",
      join(out, "o.png"),
      "--latent",
      join(out, "l.safetensors"),
    ];
    expect(await runCli(commands, argv, io)).toBe(0);
    expect(stdout()).toContain("Wrote latent preview");
    const latent = readSafetensors(await readFile(join(out, "l.safetensors"))).tensors.get("latent")!;
    const prompt = await encodeSdxlPrompt(text, { prompt: "A cat", negativePrompt: "the" });
    const expected = await generate({ models: { unet }, prompt, width: 64, height: 64, steps: 2, seed: 9 });
    expect(latent.data).toEqual(expected.latent.data);
  });

  it("takes the text models from --text-encoders and prints a truncation warning", async () => {
    const out = await tempDir();
    const elsewhere = join(await tempDir(), "unet.onnx");
    await copyFile(unet, elsewhere);
    const { io, err } = captureIo();
    const argv = [
      "generate",
      "--unet",
      elsewhere,
      "--text-encoders",
      exportDir,
      "--prompt",
      Array(80).fill("cat").join(" "),
      ...settings,
      "--out",
      join(out, "o.png"),
    ];
    expect(await runCli(commands, argv, io)).toBe(0);
    expect(err()).toContain("warning: The prompt has 80 CLIP tokens but the text encoders take 75: its last 5 tokens were dropped");
  });

  it("names the missing tokenizer file when the UNet's folder is not an SDXL export", async () => {
    const elsewhere = join(await tempDir(), "a", "unet.onnx");
    const { io, err } = captureIo();
    expect(await runCli(commands, ["generate", "--unet", elsewhere, "--prompt", "a cat", "--out", "x.png"], io)).toBe(1);
    expect(err()).toContain("vocab.json");
    expect(err()).toContain("tokenizer");
  });

  it("asks for exactly one of --prompt and --embeds", async () => {
    const { io, err } = captureIo();
    expect(await runCli(commands, ["generate", "--unet", unet, "--out", "x.png"], io)).toBe(2);
    expect(err()).toContain("exactly one of --prompt TEXT and --embeds FILE");
  });
});
