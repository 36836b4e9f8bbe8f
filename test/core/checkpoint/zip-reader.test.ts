import { describe, expect, it } from "vitest";
import { bufferSource } from "../../../core/checkpoint/byte-source.js";
import { ZipReader } from "../../../core/checkpoint/zip-reader.js";
import { deflateRawSync } from "node:zlib";

/**
 * A one-entry archive written the ZIP64 way: the central directory's sizes and offset are
 * 0xFFFFFFFF placeholders resolved by a ZIP64 extra field, and the end record is found through a
 * ZIP64 locator. `method` 8 stores `content` deflated.
 */
function zip64Archive(name: string, content: Uint8Array, method = 0): Uint8Array {
  const stored = method === 8 ? new Uint8Array(deflateRawSync(content)) : content;
  const nameBytes = new TextEncoder().encode(name);
  const local = new DataView(new ArrayBuffer(30));
  local.setUint32(0, 0x04034b50, true);
  local.setUint16(8, method, true);
  local.setUint32(18, 0xffffffff, true);
  local.setUint32(22, 0xffffffff, true);
  local.setUint16(26, nameBytes.length, true);
  const central = new DataView(new ArrayBuffer(46));
  central.setUint32(0, 0x02014b50, true);
  central.setUint16(10, method, true);
  central.setUint32(20, 0xffffffff, true);
  central.setUint32(24, 0xffffffff, true);
  central.setUint16(28, nameBytes.length, true);
  central.setUint16(30, 4 + 24, true);
  central.setUint32(42, 0xffffffff, true);
  const extra = new DataView(new ArrayBuffer(28));
  extra.setUint16(0, 0x0001, true);
  extra.setUint16(2, 24, true);
  extra.setBigUint64(4, BigInt(content.length), true);
  extra.setBigUint64(12, BigInt(stored.length), true);
  extra.setBigUint64(20, 0n, true);
  const centralStart = 30 + nameBytes.length + stored.length;
  const centralSize = 46 + nameBytes.length + 28;
  const end64 = new DataView(new ArrayBuffer(56));
  end64.setUint32(0, 0x06064b50, true);
  end64.setBigUint64(32, 1n, true);
  end64.setBigUint64(40, BigInt(centralSize), true);
  end64.setBigUint64(48, BigInt(centralStart), true);
  const locator = new DataView(new ArrayBuffer(20));
  locator.setUint32(0, 0x07064b50, true);
  locator.setBigUint64(8, BigInt(centralStart + centralSize), true);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, 0xffff, true);
  end.setUint16(10, 0xffff, true);
  end.setUint32(12, 0xffffffff, true);
  end.setUint32(16, 0xffffffff, true);
  const parts = [local, nameBytes, stored, central, nameBytes, extra, end64, locator, end].map((p) =>
    p instanceof DataView ? new Uint8Array(p.buffer) : p,
  );
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

describe("ZipReader", () => {
  const content = new TextEncoder().encode("0123456789abcdef");

  it("resolves sizes and offsets from ZIP64 extra fields and the ZIP64 end record", async () => {
    const zip = await ZipReader.open(bufferSource(zip64Archive("a/data/0", content)));
    expect(zip.entries.get("a/data/0")).toEqual({ name: "a/data/0", method: 0, size: 16, compressedSize: 16, localHeaderOffset: 0 });
    const part = new Uint8Array(4);
    await zip.readRange(zip.entries.get("a/data/0")!, 10, part);
    expect(new TextDecoder().decode(part)).toBe("abcd");
  });

  it("inflates deflated entries", async () => {
    const zip = await ZipReader.open(bufferSource(zip64Archive("a/data.pkl", content, 8)));
    expect(new TextDecoder().decode(await zip.read(zip.entries.get("a/data.pkl")!))).toBe("0123456789abcdef");
  });

  it("refuses a range outside an entry", async () => {
    const zip = await ZipReader.open(bufferSource(zip64Archive("x", content)));
    await expect(zip.readRange(zip.entries.get("x")!, 14, new Uint8Array(4))).rejects.toThrow(/outside entry x/);
  });

  it("reports a file without an end record as not a zip archive", async () => {
    await expect(ZipReader.open(bufferSource(new Uint8Array(64), "junk.bin"))).rejects.toThrow(/junk.bin is not a readable zip archive/);
  });
});
