import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { adapterConformance } from "../../../core/conformance/image-adapter.js";
import { readSafetensors } from "../../../core/tensor/safetensors.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";

describeShared("adapter conformance kind", "golden/adapter", () => {
  it("writes every expected tensor within 1e-4 of the reference and reports the refusal", async () => {
    const caseDir = sharedPath("golden", "adapter");
    const outDir = await tempDir();
    const summary = await adapterConformance.run({ caseDir, outDir });
    expect(summary.files).toEqual(["results.safetensors", "results.json"]);
    const expected = readSafetensors(await readFile(join(caseDir, "cases.safetensors"))).tensors;
    const actual = readSafetensors(await readFile(join(outDir, "results.safetensors"))).tensors;
    const names = ["tokens_single", "tokens_zero", "tokens_batch"];
    for (const prefix of ["attn3_", "attn5_"])
      names.push(`${prefix}out_single_scale0.0`, `${prefix}out_single_scale0.8`, `${prefix}out_two_ids`);
    for (const name of names) {
      expect(actual.get(name)?.shape, name).toEqual(expected.get(name)!.shape);
      assertClose(actual.get(name)!.data, expected.get(name)!.data, { abs: 1e-4, rel: 1e-4 }, name);
    }
    assertClose(
      actual.get("tokens_single_safetensors")!.data,
      expected.get("tokens_single")!.data,
      { abs: 1e-4, rel: 1e-4 },
      "safetensors tokens",
    );
    expect(actual.get("tokens_single_fp16")!.shape).toEqual([1, 16, 64]);
    const report = JSON.parse(await readFile(join(outDir, "results.json"), "utf8"));
    expect(report.malicious.refused).toBe(true);
    expect(report.malicious.message).toContain("posix.system");
  });
});
