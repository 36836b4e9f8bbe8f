import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../../core/io/sha256.js";
import { FileHashes, HASH_INDEX } from "../../../core/patch/file-hashes.js";
import { tempDir } from "../../helpers/shared.js";

describe("FileHashes", () => {
  it("hashes a file once per identity, remembering it in the index across instances", async () => {
    const dir = await tempDir();
    const file = join(dir, "unet.onnx");
    await writeFile(file, "weights");
    let computed = 0;
    const compute = async () => {
      computed += 1;
      return sha256Hex(await readFile(file));
    };
    const first = new FileHashes(join(dir, HASH_INDEX));
    expect(await first.of(file, compute)).toBe(sha256Hex("weights"));
    await first.save();
    expect(await new FileHashes(join(dir, HASH_INDEX)).of(file, compute)).toBe(sha256Hex("weights"));
    expect(computed).toBe(1);
  });

  for (const [what, content] of [
    ["not JSON", "{truncated"],
    ["not an index", JSON.stringify(["a", "b"])],
    ["an index with a value that is no digest", JSON.stringify({ anything: "../../etc" })],
  ] as const) {
    it(`ignores a saved index that is ${what} and writes a good one`, async () => {
      const dir = await tempDir();
      const file = join(dir, "unet.onnx");
      await writeFile(file, "weights");
      await writeFile(join(dir, HASH_INDEX), content);
      const hashes = new FileHashes(join(dir, HASH_INDEX));
      expect(await hashes.of(file, async () => sha256Hex("weights"))).toBe(sha256Hex("weights"));
      await hashes.save();
      expect(Object.values(JSON.parse(await readFile(join(dir, HASH_INDEX), "utf8")))).toEqual([sha256Hex("weights")]);
    });
  }
});
