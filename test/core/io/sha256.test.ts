import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sha256File, sha256Hasher, sha256Hex } from "../../../core/io/sha256.js";
import { tempDir } from "../../helpers/shared.js";

// FIPS 180-2's first example: SHA-256("abc").
const ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

describe("sha256", () => {
  it("hashes bytes and strings as their UTF-8 bytes, and piece by piece to the same digest", () => {
    expect(sha256Hex("abc")).toBe(ABC);
    expect(sha256Hex(new Uint8Array([0x61, 0x62, 0x63]))).toBe(ABC);
    expect(
      sha256Hasher()
        .update("a")
        .update(new Uint8Array([0x62, 0x63]))
        .digest("hex"),
    ).toBe(ABC);
  });

  it("streams a file of several chunks to the digest of its bytes, reporting the bytes read", async () => {
    const bytes = new Uint8Array(2.5 * (1 << 20) + 7).map((_, i) => (i * 31) % 251);
    const path = join(await tempDir(), "model.bin");
    await writeFile(path, bytes);
    const seen: number[] = [];
    expect(await sha256File(path, (n) => seen.push(n))).toBe(sha256Hex(bytes));
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(bytes.length);
  });

  it("rejects a missing file with the file system's error", async () => {
    await expect(sha256File(join(await tempDir(), "absent.onnx"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});
