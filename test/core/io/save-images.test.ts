import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { imageInfoPath, imagePaths, saveImages } from "../../../core/io/save-images.js";
import { tempDir } from "../../helpers/shared.js";

describe("saveImages", () => {
  it("names one image OUT.png and several OUT-1.png, OUT-2.png…, each beside its info", async () => {
    expect(imagePaths("/x/out.png", 1)).toEqual(["/x/out.png"]);
    expect(imagePaths("/x/out", 2)).toEqual(["/x/out-1.png", "/x/out-2.png"]);
    expect(imageInfoPath("/x/out-2.png")).toBe("/x/out-2.json");
    const dir = await tempDir();
    const paths = await saveImages(join(dir, "out.png"), [new Uint8Array([1]), new Uint8Array([2])], { seed: 5 });
    expect(paths).toEqual([join(dir, "out-1.png"), join(dir, "out-2.png")]);
    expect((await readdir(dir)).sort()).toEqual(["out-1.json", "out-1.png", "out-2.json", "out-2.png"]);
    expect(JSON.parse(await readFile(join(dir, "out-2.json"), "utf8"))).toEqual({ seed: 5 });
  });

  it("saves the set whole or not at all: with the second image's path taken by a folder, the first does not appear", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "out-2.png", "inside"), { recursive: true });
    await expect(saveImages(join(dir, "out.png"), [new Uint8Array([1]), new Uint8Array([2])], {})).rejects.toThrow();
    expect(await readdir(dir)).toEqual(["out-2.png"]);
  });
});
