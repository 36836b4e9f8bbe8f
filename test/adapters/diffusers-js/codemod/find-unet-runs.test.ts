import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { wrapSessionEdits } from "../../../../adapters/diffusers-js/codemod/find-unet-runs.js";
import { tempDir } from "../../../helpers/shared.js";

const runner = `import { InferenceSession, Tensor } from "onnxruntime-node";

export async function denoise(latents: Tensor, t: Tensor, embeds: Tensor) {
  const unet = await InferenceSession.create("unet/model.onnx");
  const vae = await InferenceSession.create("vae/model.onnx");
  for (let i = 0; i < 30; i++) {
    const feeds = { sample: latents, timestep: t, encoder_hidden_states: embeds };
    const { out_sample } = await unet.run(feeds);
    await vae.run({ latent_sample: out_sample });
  }
}
`;

const classRunner = `class Pipeline {
  unet;
  async load(ort) {
    this.unet = await ort.InferenceSession.create("unet.onnx");
  }
  async step(sample, timestep, hidden) {
    return this.unet.run({ "sample": sample, timestep, encoder_hidden_states: hidden });
  }
}
`;

async function project(files: Record<string, string>): Promise<string> {
  const dir = await tempDir("instantid-codemod-");
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

describe("wrap-session codemod", () => {
  it("finds the UNet run() by its feeds, not the VAE's, and shows the wrapped creation line", async () => {
    const dir = await project({ "src/runner.ts": runner });
    const plan = await wrapSessionEdits(dir);
    expect(plan.edits).toHaveLength(1);
    expect(plan.edits[0].line).toBe(4);
    expect(plan.edits[0].after.trim()).toBe(
      'const unet = wrapUnetSession(await InferenceSession.create("unet/model.onnx"), { hooks: [] /* TODO(instantid): add the ' +
        "InstantID hooks */ });",
    );
    expect(plan.edits[0].calls.map((c) => c.line)).toEqual([8]);
    expect(await readFile(join(dir, "src/runner.ts"), "utf8")).toBe(runner);
  });

  it("traces this.unet to its assignment in a JS class", async () => {
    const dir = await project({ "pipeline.js": classRunner });
    const plan = await wrapSessionEdits(dir);
    expect(plan.edits.map((e) => e.after.trim())).toEqual([
      'this.unet = wrapUnetSession(await ort.InferenceSession.create("unet.onnx"), { hooks: [] /* TODO(instantid): add the ' +
        "InstantID hooks */ });",
    ]);
  });

  it("applies the edit with the import, and a second run finds nothing left to do", async () => {
    const dir = await project({ "src/runner.ts": runner, "node_modules/x/index.ts": runner });
    await wrapSessionEdits(dir, { apply: true });
    const text = await readFile(join(dir, "src/runner.ts"), "utf8");
    expect(text.startsWith('import { wrapUnetSession } from "instantid/diffusers-js";')).toBe(true);
    expect(text).toContain("const unet = wrapUnetSession(await InferenceSession.create(");
    expect(await readFile(join(dir, "node_modules/x/index.ts"), "utf8")).toBe(runner);
    expect((await wrapSessionEdits(dir)).edits).toEqual([]);
  });

  it("reports a run() whose session comes from a parameter as untraced", async () => {
    const dir = await project({
      "step.ts": "export const step = (unet: any, sample: any, h: any) => unet.run({ sample, timestep: 1, encoder_hidden_states: h });\n",
    });
    const plan = await wrapSessionEdits(dir);
    expect(plan.edits).toEqual([]);
    expect(plan.untraced.map((c) => c.session)).toEqual(["unet"]);
  });
});
