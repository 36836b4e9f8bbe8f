import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runConformance } from "../../../core/conformance/index.js";
import { loadImage } from "../../../core/image/io.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";

describeShared("conformance kind kps", "golden/kps", () => {
  it("writes OUT/kps/<png> for every case, identical to the reference pixels", async () => {
    const out = await tempDir();
    const summaries = await runConformance([sharedPath("golden/kps")], { out });
    expect(summaries.get("kps")?.cases).toBe(12);
    const written = (await readdir(join(out, "kps"))).sort();
    expect(written).toHaveLength(12);
    const [name] = written;
    const [ours, theirs] = await Promise.all([loadImage(join(out, "kps", name)), loadImage(sharedPath("golden/kps", name))]);
    expect(Buffer.from(ours.data).equals(Buffer.from(theirs.data))).toBe(true);
  });
});
