import { join } from "node:path";
import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { createIdentity, loadImage, saveIdentity, SafetensorsFile, tensor, writeSafetensors, type Tensor } from "../../../../core/index.js";
import { buildSyntheticModels, RandomWeights, type SyntheticModels } from "../../../../core/testing.js";
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
    await writeSafetensors(embeds, {
      prompt_embeds: cases.get("prompt_embeds")!,
      text_embeds: cases.get("text_embeds")!,
      time_ids: cases.get("time_ids")!,
    });
    const golden = (file: string) => sharedPath("golden", "unet", file);
    const out = join(dir, "out.png");
    const { io, out: stdout, err } = captureIo();
    const code = await runCli(
      commands,
      [
        "compose",
        "--identity",
        a,
        "--region",
        "0,0,64,128",
        "--region-prompt",
        "red hat",
        "--identity",
        b,
        "--region",
        "64,0,128,128",
        "--region-prompt",
        "",
        "--size",
        "128x128",
        "--prompt",
        "two people",
        "--adapter-scale",
        "0.8,0.6",
        "--identitynet-scale",
        "0.8,0.7",
        "--end",
        "1,0.5",
        "--backend",
        "local",
        "--unet",
        golden("unet.onnx"),
        "--identitynet",
        golden("identitynet.onnx"),
        "--adapter",
        golden("ip-adapter.bin"),
        "--resampler-heads",
        "3",
        "--embeds",
        embeds,
        "--patch-dir",
        dir,
        "--steps",
        "2",
        "--seed",
        "7",
        "-o",
        out,
      ],
      io,
    );
    expect(err()).not.toContain("compose:");
    expect(code).toBe(0);
    expect(err()).toMatch(/identity 1 .*has a region prompt but no --region-embeds.*as --region-embeds #1/);
    expect(stdout()).toContain("seed 7");
    const image = await loadImage(out);
    expect([image.width, image.height]).toEqual([128, 128]);
  });

  it("names the missing model file and refuses --dry-run", async () => {
    const dir = await tempDir();
    const id = join(dir, "a.identity.safetensors");
    await saveIdentity(id, createIdentity([{ embedding: new Float32Array(512).fill(1) }]));
    const missing = captureIo();
    expect(
      await runCli(
        commands,
        ["compose", "--identity", id, "--size", "64x64", "--prompt", "p", "--backend", "local", "-o", join(dir, "o.png")],
        missing.io,
      ),
    ).toBe(2);
    expect(missing.err()).toMatch(/--adapter/);
    const dry = captureIo();
    expect(
      await runCli(
        commands,
        ["compose", "--identity", id, "--size", "64x64", "--prompt", "p", "--backend", "local", "--dry-run", join(dir, "r.json")],
        dry.io,
      ),
    ).toBe(2);
    expect(dry.err()).toMatch(/--dry-run/);
  });
});

describe("instantid compose --backend local with --region-embeds (tiny synthetic models)", () => {
  let models: SyntheticModels;
  let dir: string;
  const file = (name: string) => join(dir, name);
  const tokens = (seed: number) => tensor([1, 77, 64], new RandomWeights(seed).gaussian(77 * 64));
  beforeAll(async () => {
    dir = await tempDir();
    models = await buildSyntheticModels(dir);
    await saveIdentity(file("a.identity.safetensors"), createIdentity([{ embedding: new RandomWeights(1).gaussian(512) }]));
    await saveIdentity(file("b.identity.safetensors"), createIdentity([{ embedding: new RandomWeights(2).gaussian(512) }]));
    const pooled = tensor([1, 32], new RandomWeights(3).gaussian(32));
    await writeSafetensors(file("prompt.safetensors"), { prompt_embeds: tokens(4), text_embeds: pooled });
    await writeSafetensors(file("same.safetensors"), { prompt_embeds: tokens(4), text_embeds: pooled });
    await writeSafetensors(file("hat.safetensors"), { prompt_embeds: tokens(5), text_embeds: pooled });
  });

  async function compose(out: string, ...extra: string[]) {
    const capture = captureIo();
    const code = await runCli(
      commands,
      [
        "compose",
        "--identity",
        file("a.identity.safetensors"),
        "--region",
        "0,0,32,64",
        "--region-prompt",
        "red hat",
        "--identity",
        file("b.identity.safetensors"),
        "--region",
        "32,0,64,64",
        "--region-prompt",
        "",
        "--size",
        "64x64",
        "--prompt",
        "two people",
        "--backend",
        "local",
        "--unet",
        models.unet,
        "--identitynet",
        models.identityNet,
        "--adapter",
        models.imageAdapter,
        "--embeds",
        file("prompt.safetensors"),
        "--patch-dir",
        dir,
        "--steps",
        "2",
        "--seed",
        "7",
        "-o",
        file(out),
        ...extra,
      ],
      capture.io,
    );
    return { code, ...capture };
  }

  it(
    "uses the region's embeddings in its region: the same tokens as --embeds give the plain picture to the byte, other tokens " +
      "another one, without a warning",
    async () => {
      const plain = await compose("plain.png");
      expect(plain.code).toBe(0);
      expect(plain.err()).toMatch(/identity 1 .*has a region prompt but no --region-embeds.*as --region-embeds #1/);
      const same = await compose("same.png", "--region-embeds", file("same.safetensors"), "--region-embeds", "-");
      const hat = await compose("hat.png", "--region-embeds", file("hat.safetensors"), "--region-embeds", "-");
      expect([same.code, hat.code]).toEqual([0, 0]);
      expect(same.err() + hat.err()).not.toContain("warning");
      const [p, s, h] = await Promise.all(["plain.png", "same.png", "hat.png"].map((name) => readFile(file(name))));
      expect(s.equals(p)).toBe(true);
      expect(h.equals(p)).toBe(false);
    },
  );

  it("accepts region embeddings for an identity without a region prompt", async () => {
    const run = await compose("b.png", "--region-embeds", "", "--region-embeds", file("hat.safetensors"));
    expect(run.code).toBe(0);
    expect(run.err().match(/warning/g)).toHaveLength(1); // identity 1's prompt lacks embeddings; identity 2's embeddings need no prompt
    expect(run.err()).toContain("--region-embeds #1");
  });

  it("refuses a --region-embeds count that is not one per --identity before loading any model", async () => {
    const run = await compose("x.png", "--region-embeds", file("hat.safetensors"));
    expect(run.code).toBe(2);
    expect(run.err()).toContain("Expected one --region-embeds per --identity (2) but received 1");
  });
});
