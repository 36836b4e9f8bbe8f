import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { pipelineConformanceKind } from "../../../../adapters/onnx-sdxl/conformance/pipeline-kind.js";
import { runConformance } from "../../../../core/conformance/index.js";
import { decodeModel } from "../../../../core/onnx/model.js";
import { writeSyntheticModel } from "../../../../core/synthetic/write-model.js";
import { SafetensorsFile } from "../../../../core/tensor/safetensors.js";
import type { Tensor } from "../../../../core/tensor/tensor.js";
import { describeShared, sharedPath, tempDir } from "../../../helpers/shared.js";

async function readAll(path: string): Promise<Map<string, Tensor>> {
  const file = await SafetensorsFile.open(path);
  try {
    return new Map(await Promise.all(file.names().map(async (name) => [name, await file.tensor(name)] as const)));
  } finally {
    await file.close();
  }
}

/** The folder's tolerances: latent within 1e-3 of its largest magnitude; image within 2/255 on 99% of values, never more than 0.05. */
function checkLatent(actual: Tensor, expected: Tensor, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  const scale = Math.max(...expected.data.map(Math.abs));
  const worst = Math.max(...actual.data.map((v, i) => Math.abs(v - expected.data[i])));
  expect(worst, `${what}: worst difference (scale ${scale})`).toBeLessThanOrEqual(1e-3 * scale);
}

function checkImage(actual: Tensor, expected: Tensor, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  const diffs = actual.data.map((v, i) => Math.abs(v - expected.data[i]));
  const within = diffs.filter((d) => d <= 2 / 255).length / diffs.length;
  expect(within, `${what}: share of values within 2/255`).toBeGreaterThanOrEqual(0.99);
  expect(Math.max(...diffs), `${what}: worst difference`).toBeLessThanOrEqual(0.05);
}

describeShared("conformance kind pipeline: InstantID's own pipeline from the published files", "golden/pipeline", () => {
  it("converts controlnet/, patches unet/model.onnx, runs every case and matches the reference latents and images", async () => {
    const out = await tempDir();
    const summaries = await runConformance([sharedPath("golden", "pipeline")], { out, kinds: [pipelineConformanceKind] });
    expect(summaries.get("pipeline")).toEqual({ cases: 2, files: [join(out, "pipeline", "results.safetensors")] });
    const results = await readAll(join(out, "pipeline", "results.safetensors"));
    const expected = await readAll(sharedPath("golden", "pipeline", "expected.safetensors"));
    expect([...results.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const name of ["full", "window"]) {
      checkLatent(results.get(`${name}_latent`)!, expected.get(`${name}_latent`)!, `${name}_latent`);
      checkImage(results.get(`${name}_image`)!, expected.get(`${name}_image`)!, `${name}_image`);
    }
  }, 300_000);

  it("runs a folder whose UNet keeps its weights in external data (model.onnx + model.onnx.data), as optimum's SDXL export does", async () => {
    const golden = sharedPath("golden", "pipeline");
    const dir = join(await tempDir(), "pipeline");
    await mkdir(join(dir, "unet"), { recursive: true });
    for (const name of ["controlnet", "inputs.safetensors", "ip-adapter.bin", "kps.png", "vae_decoder"])
      await symlink(join(golden, name), join(dir, name));
    const cases = JSON.parse(await readFile(join(golden, "cases.json"), "utf8"));
    await writeFile(
      join(dir, "cases.json"),
      JSON.stringify({ ...cases, cases: cases.cases.filter((c: { name: string }) => c.name === "full") }),
    );
    await writeSyntheticModel(join(dir, "unet", "model.onnx"), decodeModel(await readFile(join(golden, "unet", "model.onnx"))), {
      external: true,
    });
    const out = await tempDir();
    await runConformance([dir], { out, kinds: [pipelineConformanceKind] });
    const results = await readAll(join(out, "pipeline", "results.safetensors"));
    const expected = await readAll(join(golden, "expected.safetensors"));
    checkLatent(results.get("full_latent")!, expected.get("full_latent")!, "full_latent");
    checkImage(results.get("full_image")!, expected.get("full_image")!, "full_image");
  }, 300_000);
});
