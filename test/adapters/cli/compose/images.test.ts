import { describe, expect, it } from "vitest";
import { controlImageToRgb, joinedPrompt, maskPng, serverEmbedding } from "../../../../adapters/cli/compose/images.js";
import { createComposition, createIdentity, loadImage } from "../../../../core/index.js";

describe("compose backend images", () => {
  it("controlImageToRgb turns a [1, 3, H, W] tensor in [0, 1] into interleaved 8-bit RGB, clamped", () => {
    const image = controlImageToRgb({ shape: [1, 3, 1, 2], data: Float32Array.from([1, 0, 0.5, 2, 0, -1]) });
    expect([image.width, image.height, ...image.data]).toEqual([2, 1, 255, 128, 0, 0, 255, 0]);
  });

  it("maskPng writes the mask as grey levels (white = 1)", async () => {
    const png = await maskPng({ width: 3, height: 1, data: Float32Array.from([0, 0.5, 1]) });
    const back = await loadImage(png);
    expect([...back.data]).toEqual([0, 0, 0, 128, 128, 128, 255, 255, 255]);
  });

  it("serverEmbedding combines the references, or keeps each for concat; joinedPrompt appends region prompts", () => {
    const refs = [{ embedding: new Float32Array(4).fill(1) }, { embedding: new Float32Array(4).fill(3) }];
    const c = createComposition({
      width: 64,
      height: 64,
      prompt: "two people",
      identities: [
        { identity: createIdentity(refs), region: { rect: [0, 0, 32, 64] }, prompt: "red hat" },
        { identity: createIdentity(refs, { combine: "concat" }), region: { rect: [32, 0, 64, 64] } },
      ],
    });
    expect(Array.from(serverEmbedding(c.identities[0].identity) as Float32Array)).toEqual([2, 2, 2, 2]);
    expect((serverEmbedding(c.identities[1].identity) as Float32Array[]).length).toBe(2);
    expect(joinedPrompt(c.prompt, c.identities)).toBe("two people, red hat");
  });
});
