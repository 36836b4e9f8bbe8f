import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runConformance } from "../../../core/conformance/registry.js";
import { textConformanceKind } from "../../../core/conformance/text.js";
import { SafetensorsFile } from "../../../core/tensor/safetensors.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";

const tolerance = { abs: 1e-4, rel: 1e-3 };
const SUFFIXES = ["prompt_embeds", "pooled_prompt_embeds", "negative_prompt_embeds", "negative_pooled_prompt_embeds"];

interface GoldenCase {
  name: string;
  negative_prompt: string | null;
  input_ids: number[];
  input_ids_2: number[];
}

describeShared("text conformance (golden/text)", "golden/text", () => {
  it("writes each case's token ids exactly and its four tensors within abs 1e-4 + rel 1e-3 of diffusers' encode_prompt", async () => {
    const caseDir = sharedPath("golden", "text");
    const outDir = join(await tempDir(), "text");
    const summary = await textConformanceKind.run({ caseDir, outDir });
    const golden = JSON.parse(await readFile(join(caseDir, "cases.json"), "utf8")) as { cases: GoldenCase[] };
    const results = JSON.parse(await readFile(join(outDir, "results.json"), "utf8")) as {
      cases: { name: string; input_ids: number[]; input_ids_2: number[] }[];
    };
    expect(summary.cases).toBe(golden.cases.length);
    expect(results.cases.map((c) => c.name)).toEqual(golden.cases.map((c) => c.name));
    for (const [i, c] of golden.cases.entries()) {
      expect(results.cases[i].input_ids, `${c.name} input_ids`).toEqual(c.input_ids);
      expect(results.cases[i].input_ids_2, `${c.name} input_ids_2`).toEqual(c.input_ids_2);
    }
    const expected = await SafetensorsFile.open(join(caseDir, "expected.safetensors"));
    const actual = await SafetensorsFile.open(join(outDir, "results.safetensors"));
    expect(actual.names().sort()).toEqual(golden.cases.flatMap((c) => SUFFIXES.map((s) => `${c.name}_${s}`)).sort());
    for (const name of expected.names()) {
      const [a, e] = [await actual.tensor(name), await expected.tensor(name)];
      expect(a.shape, name).toEqual(e.shape);
      assertClose(a.data, e.data, tolerance, name);
    }
    await Promise.all([expected.close(), actual.close()]);
  });

  it("gives zeros for an absent negative prompt and the encoders' output for an empty one", async () => {
    const outDir = join(await tempDir(), "text");
    await textConformanceKind.run({ caseDir: sharedPath("golden", "text"), outDir });
    const actual = await SafetensorsFile.open(join(outDir, "results.safetensors"));
    const absent = await actual.tensor("empty_negative_prompt_embeds");
    const empty = await actual.tensor("empty_prompt_embeds");
    expect(absent.data.every((v) => v === 0)).toBe(true);
    expect(empty.data.some((v) => v !== 0)).toBe(true);
    await actual.close();
  });

  it("is the kind runConformance picks for a folder named text, writing OUT/text/results.json and results.safetensors", async () => {
    const out = await tempDir();
    const summaries = await runConformance([sharedPath("golden", "text")], { out });
    expect(summaries.get("text")?.files).toEqual([join(out, "text", "results.json"), join(out, "text", "results.safetensors")]);
  });
});
