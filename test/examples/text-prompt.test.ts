import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { textPromptExample } from "../../examples/text-prompt.js";
import { describeShared, sharedPath } from "../helpers/shared.js";

describeShared("examples/text-prompt.ts", "golden/text", () => {
  it("tokenizes and encodes a golden case's prompt as the reference does (ids exact, zeros for no negative)", async () => {
    const { cases } = JSON.parse(await readFile(sharedPath("golden", "text", "cases.json"), "utf8")) as {
      cases: { prompt: string; input_ids: number[]; input_ids_2: number[] }[];
    };
    const { ids, ids2, conditioning, warnings } = await textPromptExample(sharedPath("golden", "text"), cases[0].prompt);
    expect([...ids.ids]).toEqual(cases[0].input_ids);
    expect([...ids2.ids]).toEqual(cases[0].input_ids_2);
    expect(conditioning.embeds.shape).toEqual([1, 77, 80]);
    expect(conditioning.negativePooled.data.every((v) => v === 0)).toBe(true);
    expect(warnings).toEqual([]);
  });
});
