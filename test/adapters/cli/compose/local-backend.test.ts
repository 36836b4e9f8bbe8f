import { join } from "node:path";
import { expect, it } from "vitest";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { createIdentity, loadImage, saveIdentity, SafetensorsFile, writeSafetensors, type Tensor } from "../../../../core/index.js";
import { describeShared, sharedPath, tempDir } from "../../../helpers/shared.js";
import { captureIo } from "../commands/capture.js";

async function goldenCases(): Promise<Map<string, Tensor>> {
  const file = await SafetensorsFile.open(sharedPath("golden", "unet", "cases.safetensors"));
  const cases = new Map<string, Tensor>();
  for (const name of file.names()) cases.set(name, await file.tensor(name));
  await file.close();
  return cases;
}

describeShared("instantid compose --backend local", "golden/unet", () => {
  it("patches the tiny golden UNet for two identities and runs the SDK's runner with the composition's hooks", async () => {
    const dir = await tempDir();
    const cases = await goldenCases();
    const [a, b, embeds] = [join(dir, "a.identity.safetensors"), join(dir, "b.identity.safetensors"), join(dir, "prompt.safetensors")];
    await saveIdentity(a, createIdentity([{ embedding: cases.get("face_embedding")!.data }]));
    await saveIdentity(b, createIdentity([{ embedding: cases.get("face_embedding_b")!.data }]));
    await writeSafetensors(embeds, { prompt_embeds: cases.get("prompt_embeds")!, text_embeds: cases.get("text_embeds")!, time_ids: cases.get("time_ids")! });
    const golden = (file: string) => sharedPath("golden", "unet", file);
    const out = join(dir, "out.png");
    const { io, out: stdout, err } = captureIo();
    const code = await runCli(commands, [
      "compose", "--identity", a, "--region", "0,0,64,128", "--region-prompt", "red hat", "--identity", b, "--region", "64,0,128,128", "--region-prompt", "",
      "--size", "128x128", "--prompt", "two people", "--ip-scale", "0.8,0.6", "--cn-scale", "0.8,0.7", "--end", "1,0.5",
      "--backend", "local", "--unet", golden("unet.onnx"), "--identitynet", golden("identitynet.onnx"), "--adapter", golden("ip-adapter.bin"),
      "--resampler-heads", "3", "--embeds", embeds, "--patch-dir", dir, "--steps", "2", "--seed", "7", "-o", out,
    ], io);
    expect(err()).not.toContain("compose:");
    expect(code).toBe(0);
    expect(err()).toContain("region prompts are not used");
    expect(stdout()).toContain("seed 7");
    const image = await loadImage(out);
    expect([image.width, image.height]).toEqual([128, 128]);
  });

  it("names the missing model file and refuses --dry-run", async () => {
    const dir = await tempDir();
    const id = join(dir, "a.identity.safetensors");
    await saveIdentity(id, createIdentity([{ embedding: new Float32Array(512).fill(1) }]));
    const missing = captureIo();
    expect(await runCli(commands, ["compose", "--identity", id, "--size", "64x64", "--prompt", "p", "--backend", "local", "-o", join(dir, "o.png")], missing.io)).toBe(1);
    expect(missing.err()).toMatch(/--adapter/);
    const dry = captureIo();
    expect(await runCli(commands, ["compose", "--identity", id, "--size", "64x64", "--prompt", "p", "--backend", "local", "--dry-run", join(dir, "r.json")], dry.io)).toBe(1);
    expect(dry.err()).toMatch(/--dry-run/);
  });
});
