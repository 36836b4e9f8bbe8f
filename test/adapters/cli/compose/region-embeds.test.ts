import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRegionPrompts } from "../../../../adapters/cli/compose/region-embeds.js";
import { createComposition } from "../../../../core/compose/compose.js";
import { createIdentity } from "../../../../core/identity/identity.js";
import { writeSafetensors } from "../../../../core/tensor/safetensors.js";
import { tensor } from "../../../../core/tensor/tensor.js";
import { tempDir } from "../../../helpers/shared.js";
import { captureIo } from "../commands/capture.js";

const person = (v: number) => createIdentity([{ embedding: new Float32Array(512).fill(v) }]);
const composition = createComposition({
  width: 16,
  height: 8,
  prompt: "two people",
  identities: [
    { identity: person(1), region: { rect: [0, 0, 8, 8] }, prompt: "red hat" },
    { identity: person(2), region: { rect: [8, 0, 16, 8] }, prompt: "blue scarf" },
  ],
});
const shared = tensor([1, 4, 3]);

async function embedsFile(dir: string, name: string, tokens: number, value: number): Promise<string> {
  const path = join(dir, name);
  await writeSafetensors(path, {
    prompt_embeds: tensor([2, tokens, 3], new Array(2 * tokens * 3).fill(value)),
    text_embeds: tensor([2, 2]),
  });
  return path;
}

describe("readRegionPrompts (--region-embeds)", () => {
  it("pairs files with identities in order, skips '-', and takes each file's positive tokens with its identity's mask", async () => {
    const dir = await tempDir();
    const { io, err } = captureIo();
    const regions = await readRegionPrompts(
      composition,
      { "region-embeds": ["-", await embedsFile(dir, "b.safetensors", 4, 0.5)] },
      shared,
      io,
    );
    expect(regions).toHaveLength(1);
    expect([...regions[0].embeds.data]).toEqual(new Array(12).fill(0.5));
    expect(regions[0].mask).toEqual(composition.identities[1].mask);
    expect(err()).toContain(`identity 1 has a region prompt but no --region-embeds`);
    expect(err()).toContain(`encode "two people, red hat"`);
    expect(err()).not.toContain("identity 2");
  });

  it("gives no regions, and a warning per prompted identity, without --region-embeds", async () => {
    const { io, err } = captureIo();
    expect(await readRegionPrompts(composition, {}, shared, io)).toEqual([]);
    expect(err().match(/warning/g)).toHaveLength(2);
  });

  it("refuses a count that is not one per identity", async () => {
    await expect(readRegionPrompts(composition, { "region-embeds": ["a.safetensors"] }, shared, captureIo().io)).rejects.toThrow(
      expect.objectContaining({
        code: "INVALID_OPTION",
        message: expect.stringContaining("one --region-embeds per --identity (2) but received 1"),
      }),
    );
  });

  it("refuses tokens shaped unlike --embeds', naming the file and both shapes", async () => {
    const dir = await tempDir();
    const wrong = await embedsFile(dir, "wrong.safetensors", 5, 1);
    await expect(readRegionPrompts(composition, { "region-embeds": [wrong, ""] }, shared, captureIo().io)).rejects.toThrow(
      expect.objectContaining({
        code: "SHAPE_MISMATCH",
        message: expect.stringMatching(
          /--region-embeds #1 \(.*wrong\.safetensors\) has prompt_embeds \[1, 5, 3\] but --embeds has \[1, 4, 3\]/,
        ),
      }),
    );
  });

  it("refuses a file without prompt_embeds as --embeds does", async () => {
    const dir = await tempDir();
    const path = join(dir, "empty.safetensors");
    await writeSafetensors(path, { other: tensor([1]) });
    await expect(readRegionPrompts(composition, { "region-embeds": [path, "-"] }, shared, captureIo().io)).rejects.toThrow(
      expect.objectContaining({ code: "INVALID_INPUT" }),
    );
  });
});
