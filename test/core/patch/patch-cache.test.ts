import { readFile, utimes } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadImageAdapter } from "../../../core/image-adapter/checkpoint.js";
import { patchImageAdapter } from "../../../core/patch/patch-image-adapter.js";
import { buildSyntheticModels, type SyntheticModels } from "../../../core/synthetic/build-models.js";
import { tempDir } from "../../helpers/shared.js";

describe("patchImageAdapter's cache keyed on file identity", () => {
  // Built once: each test patches into its own outDir, so one test's cache never answers the other's.
  let models: SyntheticModels;
  beforeAll(async () => {
    models = await buildSyntheticModels(await tempDir());
  });

  it(
    "hashes the adapter file once: a later call with the same file (path, size, mtime) reuses the patch without hashing the " +
      "projections",
    async () => {
      const outDir = await tempDir();
      const first = await patchImageAdapter(models.unet, await loadImageAdapter(models.imageAdapter), {
        outDir,
        adapterFile: models.imageAdapter,
      });
      expect(first.cached).toBe(false);
      const index = JSON.parse(await readFile(join(outDir, ".instantid-hashes.json"), "utf8")) as Record<string, string>;
      expect(
        Object.keys(index)
          .map((k) => k.split("|")[0])
          .sort(),
      ).toEqual([models.imageAdapter, models.unet].sort());
      // Projections altered in memory but the file unchanged: the remembered hash of the file decides, so the patch is reused.
      const altered = await loadImageAdapter(models.imageAdapter);
      altered.ipLayers.values().next().value!.toK.data[0] += 1;
      const again = await patchImageAdapter(models.unet, altered, { outDir, adapterFile: models.imageAdapter });
      expect(again).toMatchObject({ cached: true, modelPath: first.modelPath });
      // Without adapterFile the projections themselves are hashed: the altered weights make another patch.
      expect(await patchImageAdapter(models.unet, altered, { outDir })).toMatchObject({ cached: false });
    },
  );

  it("hashes a file again when its identity changes (a new mtime)", async () => {
    const outDir = await tempDir();
    const adapter = await loadImageAdapter(models.imageAdapter);
    await patchImageAdapter(models.unet, adapter, { outDir, adapterFile: models.imageAdapter });
    const later = new Date(Date.now() + 60_000);
    await utimes(models.imageAdapter, later, later);
    const after = await patchImageAdapter(models.unet, adapter, { outDir, adapterFile: models.imageAdapter });
    expect(after.cached).toBe(true); // same content, so the same patch
    expect(Object.keys(JSON.parse(await readFile(join(outDir, ".instantid-hashes.json"), "utf8")))).toHaveLength(3);
  });
});
