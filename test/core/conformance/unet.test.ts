import { join } from "node:path";
import { expect, it } from "vitest";
import { unetConformanceKind } from "../../../core/conformance/unet.js";
import { SafetensorsFile } from "../../../core/tensor/safetensors.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";

const tolerance = { abs: 2e-4, rel: 1e-3 };
const expectedOutputs = [
  "multi_noise_cfg5",
  "multi_noise_cond",
  "multi_noise_uncond",
  "out_ip_scale0.7",
  "out_plain",
  "out_with_residuals_scale0.8",
  "step_noise_cfg5",
  "step_noise_cond",
  "step_noise_uncond",
];

for (const variant of ["golden", "golden-anon", "golden-fused"]) {
  describeShared(`unet conformance on ${variant}`, `${variant}/unet`, () => {
    it("writes every reference output within abs 2e-4 + rel 1e-3 of the reference", async () => {
      const caseDir = sharedPath(variant, "unet");
      const outDir = join(await tempDir(), "unet");
      const summary = await unetConformanceKind.run({ caseDir, outDir });
      const expected = await SafetensorsFile.open(join(caseDir, "cases.safetensors"));
      const actual = await SafetensorsFile.open(join(outDir, "results.safetensors"));
      expect(actual.names().sort()).toEqual(expectedOutputs);
      for (const name of actual.names()) {
        const a = await actual.tensor(name);
        const e = await expected.tensor(name);
        expect(a.shape, name).toEqual(e.shape);
        assertClose(a.data, e.data, tolerance, name);
      }
      expect(summary.cases).toBe(actual.names().length);
      await Promise.all([expected.close(), actual.close()]);
    });
  });
}
