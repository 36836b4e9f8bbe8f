import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFaceModelManifest, manifestFileName, writeFaceModelManifest } from "../../../core/face/manifest.js";
import { antelopev2Manifest } from "../../../core/models/catalog.js";
import { ErrorCode, type InstantIdError } from "../../../core/errors.js";
import { tempDir } from "../../helpers/shared.js";

describe("loadFaceModelManifest", () => {
  it("resolves model paths beside models.json, given the folder or the file", async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, "models.json"),
      JSON.stringify({
        about: "x",
        detector: { path: "d.onnx", kind: "scrfd" },
        recognizer: { path: "sub/r.onnx", channelOrder: "BGR", mean: 127.5, std: 128 },
      }),
    );
    for (const target of [dir, join(dir, "models.json")]) {
      const manifest = await loadFaceModelManifest(target);
      expect(manifest.detector.path).toBe(join(dir, "d.onnx"));
      expect(manifest.recognizer).toMatchObject({ path: join(dir, "sub", "r.onnx"), kind: "arcface", channelOrder: "BGR", std: 128 });
    }
  });

  it("names every bad field", async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, "models.json"),
      JSON.stringify({ detector: { path: "d.onnx", channelOrder: "GBR" }, recognizer: { std: 0 } }),
    );
    const error = (await loadFaceModelManifest(dir).catch((e: unknown) => e)) as InstantIdError;
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toMatch(/detector\.channelOrder/);
    expect(error.message).toMatch(/recognizer\.path/);
    expect(error.message).toMatch(/recognizer\.std/);
  });

  it("reports a missing manifest as MODEL_NOT_FOUND", async () => {
    const dir = join(await tempDir(), "empty");
    await mkdir(dir);
    const error = (await loadFaceModelManifest(dir).catch((e: unknown) => e)) as InstantIdError;
    expect(error.code).toBe(ErrorCode.ModelNotFound);
    expect(error.message).toContain("models.json");
  });
});

describe("writeFaceModelManifest", () => {
  it("writes what the reader loads back (one schema for both)", async () => {
    const dir = await tempDir();
    const path = await writeFaceModelManifest(dir, antelopev2Manifest);
    expect(path).toBe(join(dir, manifestFileName));
    const manifest = await loadFaceModelManifest(dir);
    expect(manifest.about).toBe(antelopev2Manifest.about);
    expect(manifest.detector).toEqual({ ...antelopev2Manifest.detector, path: join(dir, "scrfd_10g_bnkps.onnx") });
    expect(manifest.recognizer).toEqual({ ...antelopev2Manifest.recognizer, path: join(dir, "glintr100.onnx") });
  });

  it("fills the schema's defaults in the file and refuses a manifest the reader would refuse, writing nothing", async () => {
    const dir = await tempDir();
    await writeFaceModelManifest(dir, { detector: { path: "d.onnx" }, recognizer: { path: "r.onnx" } });
    expect(JSON.parse(await readFile(join(dir, manifestFileName), "utf8"))).toEqual({
      detector: { path: "d.onnx", kind: "scrfd" },
      recognizer: { path: "r.onnx", kind: "arcface" },
    });
    const other = join(await tempDir(), "bad");
    const error = (await writeFaceModelManifest(other, {
      detector: { path: "d.onnx", inputSize: 100 },
      recognizer: { path: "r.onnx" },
    }).catch((e: unknown) => e)) as InstantIdError;
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toMatch(/detector\.inputSize/);
    await expect(readFile(join(other, manifestFileName))).rejects.toThrow();
  });
});
