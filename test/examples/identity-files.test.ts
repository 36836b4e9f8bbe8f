import { stat } from "node:fs/promises";
import { expect, it } from "vitest";
import { identityFilesExample } from "../../examples/identity-files.js";
import { describeShared, sharedPath, tempDir } from "../helpers/shared.js";

const image = (name: string) => sharedPath("real", "images", name);

describeShared("examples/identity-files.ts", "real", () => {
  it("saves an identity from two photos, reloads it, recognises a third photo of the person and blends 70/30 with another", async () => {
    const result = await identityFilesExample(
      sharedPath("real", "models"),
      await tempDir(),
      [image("obama_1.jpg"), image("obama_2.jpg")],
      image("obama_3.jpg"),
      image("hopkins_1.jpg"),
    );
    expect(result.embedsShape).toEqual([1, 1, 512]);
    expect((await stat(result.identityPath)).size, "embeddings and keypoints only, no photo").toBeLessThan(8 * 1024);
    expect(result.sameSimilarity).toBeGreaterThan(0.5);
    expect(result.otherSimilarity).toBeLessThan(0.2);
    expect(result.blendToIdentity).toBeGreaterThan(result.blendToOther);
    expect(result.blendToOther).toBeGreaterThan(result.otherSimilarity);
  });
});
