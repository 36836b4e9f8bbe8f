import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import type { CliIo } from "../../../../adapters/cli/command.js";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { loadImage, savePng } from "../../../../core/image/io.js";
import { createIdentity } from "../../../../core/identity/identity.js";
import { saveIdentity } from "../../../../core/identity/file.js";
import { generate } from "../../../../adapters/onnx-sdxl/generate.js";
import { assertClose } from "../../../helpers/assert-close.js";
import { row } from "../../onnx-sdxl/golden-unet.js";
import { readSafetensors } from "../../../../core/tensor/safetensors.js";
import { describeShared, sharedPath, tempDir } from "../../../helpers/shared.js";

describeShared("instantid generate", "golden/unet", () => {
  it("runs the golden UNet from the cases' embeddings, draws progress and writes the preview and latent", async () => {
    const dir = await tempDir();
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), interactive: false };
    const argv = [
      "generate",
      "--unet",
      sharedPath("golden/unet/unet.onnx"),
      "--embeds",
      sharedPath("golden/unet/cases.safetensors"),
      "--width",
      "128",
      "--height",
      "128",
      "--steps",
      "3",
      "--seed",
      "5",
      "--out",
      join(dir, "out.png"),
      "--latent",
      join(dir, "latent.safetensors"),
    ];
    expect(await runCli(commands, argv, io)).toBe(0);
    expect(err.join("")).toContain("denoise 3/3");
    expect(out.join("")).toMatch(/Wrote latent preview .*out\.png \(128x128, seed 5/);
    const image = await loadImage(join(dir, "out.png"));
    expect([image.width, image.height]).toEqual([128, 128]);
    const { tensors } = readSafetensors(await readFile(join(dir, "latent.safetensors")));
    expect(tensors.get("latent")!.shape).toEqual([1, 4, 16, 16]);
  });

  it("runs InstantID from files: patches the UNet, turns the identity into tokens, sizes the output from the keypoint image", async () => {
    const dir = await tempDir();
    const cases = readSafetensors(await readFile(sharedPath("golden/unet/cases.safetensors"))).tensors;
    await saveIdentity(join(dir, "face.identity"), createIdentity([{ embedding: cases.get("face_embedding")!.data }]));
    const kps = cases.get("kps_image")!;
    const plane = 128 * 128;
    const pixels = new Uint8Array(plane * 3);
    for (let p = 0; p < plane; p++) for (let ch = 0; ch < 3; ch++) pixels[p * 3 + ch] = Math.round(kps.data[ch * plane + p] * 255);
    await savePng(join(dir, "kps.png"), { width: 128, height: 128, data: pixels });
    const io: CliIo = { stdout: () => {}, stderr: () => {}, interactive: false };
    const argv = [
      "generate",
      "--unet",
      sharedPath("golden/unet/unet.onnx"),
      "--embeds",
      sharedPath("golden/unet/cases.safetensors"),
      "--adapter",
      sharedPath("golden/unet/ip-adapter.bin"),
      "--identitynet",
      sharedPath("golden/unet/identitynet.onnx"),
      "--identity",
      join(dir, "face.identity"),
      "--kps",
      join(dir, "kps.png"),
      "--patch-dir",
      dir,
      "--resampler-heads",
      "3",
      "--steps",
      "2",
      "--seed",
      "4",
      "--out",
      join(dir, "out.png"),
      "--latent",
      join(dir, "latent.safetensors"),
    ];
    expect(await runCli(commands, argv, io)).toBe(0);
    const latent = readSafetensors(await readFile(join(dir, "latent.safetensors"))).tensors.get("latent")!;
    const patched = (await readdir(dir)).find((name) => name.startsWith("unet.instantid-") && name.endsWith(".onnx"))!;
    const reference = await generate({
      models: { unet: join(dir, patched) },
      prompt: {
        embeds: row(cases.get("prompt_embeds")!, 1),
        pooled: row(cases.get("text_embeds")!, 1),
        negativeEmbeds: row(cases.get("prompt_embeds")!, 0),
        negativePooled: row(cases.get("text_embeds")!, 0),
      },
      timeIds: row(cases.get("time_ids")!, 1),
      steps: 2,
      seed: 4,
      instantId: {
        identityNet: sharedPath("golden/unet/identitynet.onnx"),
        faces: [{ faceTokens: cases.get("face_tokens")!, uncondFaceTokens: cases.get("uncond_face_tokens")!, keypointImage: kps }],
      },
    });
    // The CLI's tokens come from its own Resampler run and its keypoints from an 8-bit PNG.
    assertClose(latent.data, reference.latent.data, { abs: 1e-3, rel: 1e-3 }, "latent");
  });

  it("asks for all four InstantID files together", async () => {
    const err: string[] = [];
    const io: CliIo = { stdout: () => {}, stderr: (t) => err.push(t), interactive: false };
    const argv = [
      "generate",
      "--unet",
      "u.onnx",
      "--embeds",
      sharedPath("golden/unet/cases.safetensors"),
      "--out",
      "o.png",
      "--adapter",
      "a.bin",
    ];
    expect(await runCli(commands, argv, io)).toBe(2);
    expect(err.join("")).toContain("missing --identitynet, --identity, --kps");
  });

  it("names the missing option", async () => {
    const err: string[] = [];
    const io: CliIo = { stdout: () => {}, stderr: (t) => err.push(t), interactive: false };
    expect(await runCli(commands, ["generate", "--unet", "u.onnx"], io)).toBe(2);
    expect(err.join("")).toContain("--embeds");
  });
});
