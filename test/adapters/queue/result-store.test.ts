import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { folderResultStore } from "../../../adapters/queue/index.js";
import { encodePng, ErrorCode } from "../../../core/index.js";
import { tempDir } from "../../helpers/shared.js";

describe("folder result store", () => {
  it("writes a job's images and report as the CLI writes them (image.png + image.json) and reads them back", async () => {
    const dir = await tempDir();
    const store = folderResultStore(dir);
    const png = await encodePng({ width: 2, height: 1, data: new Uint8Array([255, 0, 0, 0, 255, 0]) });
    const stored = await store.put("job-1", { images: [png], report: { seed: 5 } });
    expect(stored.images).toEqual(["image.png"]);
    expect(await readdir(join(dir, "job-1"))).toEqual(["image.json", "image.png"]);
    expect(JSON.parse(await readFile(join(dir, "job-1", "image.json"), "utf8"))).toEqual({ seed: 5 });
    const back = await store.get(stored);
    expect(Buffer.from(back.images[0]).equals(png)).toBe(true);
    expect(back.report).toEqual({ seed: 5 });
  });

  it("numbers several images, and a later attempt of the same job overwrites the earlier result", async () => {
    const store = folderResultStore(await tempDir());
    await store.put("7", { images: [new Uint8Array([1])], report: { attempt: 1 } });
    const stored = await store.put("7", { images: [new Uint8Array([2]), new Uint8Array([3])], report: { attempt: 2 } });
    expect(stored.images).toEqual(["image-1.png", "image-2.png"]);
    const back = await store.get(stored);
    expect(back.images.map((b) => b[0])).toEqual([2, 3]);
    expect(back.report).toEqual({ attempt: 2 });
  });

  it("says the folder must be shared when a result is not there", async () => {
    const store = folderResultStore(await tempDir());
    await expect(store.get({ location: "/nonexistent/instantid/1", images: ["image.png"], report: "image.json" })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      message: expect.stringMatching(/must share the result folder/),
    });
  });
});
