import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFaceModelManifest } from "../../../core/face/manifest.js";
import { antelopev2Manifest } from "../../../core/models/catalog.js";
import { checkModels } from "../../../core/models/check.js";
import { tempDir } from "../../helpers/shared.js";
import { fixturePacks } from "./fixture-packs.js";

/** Writes the fixture files (all, or those named) into a fresh folder, plus the manifest. */
async function folderWith(bodies: Record<string, Buffer>, names = Object.keys(bodies)): Promise<string> {
  const dir = await tempDir();
  for (const name of names) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), bodies[name]);
  }
  await writeFaceModelManifest(join(dir, "antelopev2"), antelopev2Manifest);
  return dir;
}

const required = [
  "antelopev2/scrfd_10g_bnkps.onnx",
  "antelopev2/glintr100.onnx",
  "instantid/ip-adapter.bin",
  "instantid/ControlNetModel/config.json",
  "instantid/ControlNetModel/diffusion_pytorch_model.safetensors",
];

describe("checkModels", () => {
  it("says every required file is missing in an empty folder and gives the pull command that fixes it", async () => {
    const { catalog } = fixturePacks();
    const dir = await tempDir();
    const report = await checkModels(dir, { catalog });
    expect(report.complete).toBe(false);
    expect(report.files.filter((f) => f.state === "missing").map((f) => f.path)).toEqual([
      ...required.slice(0, 2),
      "antelopev2/models.json",
      ...required.slice(2),
    ]);
    expect(report.fix).toBe(`instantid models pull all --dir ${dir}`);
  });

  it("accepts a complete folder, verifying digests and saying which files cannot be verified", async () => {
    const { catalog, bodies } = fixturePacks();
    const report = await checkModels(await folderWith(bodies, required), { catalog });
    expect(report.complete).toBe(true);
    expect(report.fix).toBeUndefined();
    const byPath = Object.fromEntries(report.files.map((f) => [f.path, f]));
    expect(byPath["antelopev2/glintr100.onnx"].state).toBe("ok");
    expect(byPath["instantid/ControlNetModel/config.json"].state).toBe("checked");
    expect(byPath["instantid/ControlNetModel/config.json"].message).toContain("no published digest, content checked");
    expect(byPath["antelopev2/models.json"].state).toBe("checked");
  });

  it("reports a truncated file, a same-size corrupt file and a partial download, naming only the packs to pull", async () => {
    const { catalog, bodies } = fixturePacks();
    const dir = await folderWith(bodies, required);
    await writeFile(join(dir, "antelopev2/scrfd_10g_bnkps.onnx"), bodies["antelopev2/scrfd_10g_bnkps.onnx"].subarray(1));
    const flipped = Buffer.from(bodies["antelopev2/glintr100.onnx"]);
    flipped[0] ^= 1;
    await writeFile(join(dir, "antelopev2/glintr100.onnx"), flipped);
    const report = await checkModels(dir, { catalog });
    const states = Object.fromEntries(report.files.map((f) => [f.path, f.state]));
    expect(states["antelopev2/scrfd_10g_bnkps.onnx"]).toBe("wrong-size");
    expect(states["antelopev2/glintr100.onnx"]).toBe("wrong-hash");
    expect(report.incompletePacks).toEqual(["antelopev2"]);
    expect(report.fix).toBe(`instantid models pull antelopev2 --dir ${dir}`);
  });

  it("reports a .part file as an incomplete download that a pull resumes", async () => {
    const { catalog, bodies } = fixturePacks();
    const dir = await folderWith(
      bodies,
      required.filter((p) => p !== "instantid/ip-adapter.bin"),
    );
    await writeFile(join(dir, "instantid/ip-adapter.bin.part"), bodies["instantid/ip-adapter.bin"].subarray(0, 100));
    const report = await checkModels(dir, { catalog, packs: ["instantid"] });
    const adapter = report.files.find((f) => f.path === "instantid/ip-adapter.bin");
    expect(adapter).toMatchObject({ state: "partial" });
    expect(adapter!.message).toContain(`100 of ${bodies["instantid/ip-adapter.bin"].length} bytes`);
  });

  it("reports a corrupt optional file without making the folder incomplete", async () => {
    const { catalog, bodies } = fixturePacks();
    const dir = await folderWith(bodies, required);
    await writeFile(join(dir, "antelopev2/genderage.onnx"), Buffer.from("not the model"));
    const report = await checkModels(dir, { catalog });
    expect(report.files.find((f) => f.path === "antelopev2/genderage.onnx")).toMatchObject({ state: "wrong-hash", required: false });
    expect(report.complete).toBe(true);
  });

  it("checks config.json's content, having no digest: one the converter cannot read, or too large, is corrupt", async () => {
    const { catalog, bodies } = fixturePacks();
    const dir = await folderWith(bodies, required);
    const config = join(dir, "instantid/ControlNetModel/config.json");
    for (const [content, state] of [
      ["<html>Not found</html>", "wrong-content"],
      [JSON.stringify({ ...JSON.parse(bodies["instantid/ControlNetModel/config.json"].toString()), act_fn: "gelu" }), "wrong-content"],
      [" ".repeat(64 * 1024 + 1), "wrong-size"],
    ] as const) {
      await writeFile(config, content);
      const report = await checkModels(dir, { catalog, packs: ["instantid"] });
      const checked = report.files.find((f) => f.path === "instantid/ControlNetModel/config.json");
      expect(checked?.state, content.slice(0, 20)).toBe(state);
      expect(checked?.message).not.toContain("undefined");
      expect(report.complete).toBe(false);
    }
  });

  it("reads models.json with face analysis's reader: a manifest it refuses makes the folder incomplete", async () => {
    const { catalog, bodies } = fixturePacks();
    const dir = await folderWith(bodies, required);
    await writeFile(join(dir, "antelopev2", "models.json"), JSON.stringify({ detector: { path: "d.onnx" } }));
    const report = await checkModels(dir, { catalog, packs: ["antelopev2"] });
    const manifest = report.files.find((f) => f.path === "antelopev2/models.json");
    expect(manifest).toMatchObject({ state: "wrong-content", required: true });
    expect(manifest!.message).toMatch(/recognizer/);
    expect(report.fix).toBe(`instantid models pull antelopev2 --dir ${dir}`);
  });
});
