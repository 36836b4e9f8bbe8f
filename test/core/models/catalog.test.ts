import { describe, expect, it } from "vitest";
import { antelopev2Pack, filesToFetch, instantIdPack, modelCatalog } from "../../../core/models/catalog.js";

describe("model catalogue", () => {
  it("lists the files InstantID loads, as required", () => {
    const required = modelCatalog.flatMap((pack) => pack.files.filter((f) => f.required).map((f) => `${pack.folder}/${f.path}`));
    expect(required).toEqual([
      "antelopev2/scrfd_10g_bnkps.onnx",
      "antelopev2/glintr100.onnx",
      "instantid/ip-adapter.bin",
      "instantid/ControlNetModel/config.json",
      "instantid/ControlNetModel/diffusion_pytorch_model.safetensors",
    ]);
  });

  it("gives every digest as 64 lower-case hex characters and every size as a positive whole number", () => {
    for (const file of modelCatalog.flatMap((pack) => pack.files)) {
      if (file.sha256 !== undefined) expect(file.sha256, file.path).toMatch(/^[0-9a-f]{64}$/);
      if (file.size !== undefined) expect(Number.isSafeInteger(file.size) && file.size > 0, file.path).toBe(true);
    }
  });

  it("verifies the weights by digest; only the small IdentityNet config has nothing published", () => {
    const unverifiable = modelCatalog.flatMap((pack) => pack.files.filter((f) => f.sha256 === undefined).map((f) => f.path));
    expect(unverifiable).toEqual(["ControlNetModel/config.json"]);
  });

  it("bounds and checks the content of every file without a published digest", () => {
    for (const file of modelCatalog.flatMap((pack) => pack.files).filter((f) => f.sha256 === undefined)) {
      expect(file.maxSize, file.path).toBeGreaterThan(0);
      expect(file.structure, file.path).toBe("controlnet-config");
    }
  });

  it("fetches the optional antelopev2 models only on request", () => {
    expect(filesToFetch(antelopev2Pack, false).map((f) => f.path)).toEqual(["scrfd_10g_bnkps.onnx", "glintr100.onnx"]);
    expect(filesToFetch(antelopev2Pack, true)).toHaveLength(5);
    expect(filesToFetch(instantIdPack, false)).toHaveLength(3);
  });
});
