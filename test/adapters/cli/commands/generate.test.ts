import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import type { CliIo } from "../../../../adapters/cli/command.js";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { loadImage } from "../../../../core/image/io.js";
import { readSafetensors } from "../../../../core/tensor/safetensors.js";
import { describeShared, sharedPath, tempDir } from "../../../helpers/shared.js";

describeShared("instantid generate", "golden/unet", () => {
  it("runs the golden UNet from the cases' embeddings, draws progress and writes the preview and latent", async () => {
    const dir = await tempDir();
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), interactive: false };
    const argv = [
      "generate", "--unet", sharedPath("golden/unet/unet.onnx"), "--embeds", sharedPath("golden/unet/cases.safetensors"),
      "--width", "128", "--height", "128", "--steps", "3", "--seed", "5", "--out", join(dir, "out.png"), "--latent", join(dir, "latent.safetensors"),
    ];
    expect(await runCli(commands, argv, io)).toBe(0);
    expect(err.join("")).toContain("denoise 3/3");
    expect(out.join("")).toMatch(/Wrote latent preview .*out\.png \(128x128, seed 5/);
    const image = await loadImage(join(dir, "out.png"));
    expect([image.width, image.height]).toEqual([128, 128]);
    const { tensors } = readSafetensors(await readFile(join(dir, "latent.safetensors")));
    expect(tensors.get("latent")!.shape).toEqual([1, 4, 16, 16]);
  });

  it("names the missing option", async () => {
    const err: string[] = [];
    const io: CliIo = { stdout: () => {}, stderr: (t) => err.push(t), interactive: false };
    expect(await runCli(commands, ["generate", "--unet", "u.onnx"], io)).toBe(1);
    expect(err.join("")).toContain("--embeds");
  });
});
