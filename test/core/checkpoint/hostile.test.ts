import { describe, expect, it } from "vitest";
import { bufferSource } from "../../../core/checkpoint/byte-source.js";
import { openCheckpointSource } from "../../../core/checkpoint/open-checkpoint.js";
import { PickleWriter } from "../../../core/checkpoint/pickle-writer.js";
import { TorchCheckpoint } from "../../../core/checkpoint/torch-checkpoint.js";
import { parseSafetensorsHeader } from "../../../core/tensor/safetensors.js";
import {
  craftZip,
  safetensorsHeader,
  safetensorsWithHeaderLength,
  sharedDictArchive,
  sparseSource,
  viewArchive,
  writeView,
} from "./crafted.js";
import { failure } from "../../helpers/failure.js";

const float32 = (...values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

/** Counts the bytes read from a source, to show what a call really touched. */
function countingSource(bytes: Uint8Array) {
  const source = bufferSource(bytes, "counted");
  const counter = { bytes: 0 };
  return {
    counter,
    source: {
      ...source,
      readInto: (target: Uint8Array, position: number) => ((counter.bytes += target.byteLength), source.readInto(target, position)),
    },
  };
}

describe("hostile checkpoints (the crafted set)", () => {
  it("1. opens a safetensors file whose header length starts with byte 0x80 as safetensors, not as a legacy torch file", async () => {
    const file = safetensorsWithHeaderLength(128);
    expect(file[0]).toBe(0x80);
    const checkpoint = await openCheckpointSource(bufferSource(file, "odd-length.safetensors"));
    expect(checkpoint.format).toBe("safetensors");
    expect(await checkpoint.tensor("w")).toEqual({ shape: [2], data: Float32Array.of(1, 2) });
  });

  it("1. names a file that has no known signature as corrupt instead of guessing", async () => {
    const error = await failure(openCheckpointSource(bufferSource(Buffer.from("GIF89a, not a checkpoint at all"), "x.bin")));
    expect(error.code).toBe("FILE_CORRUPT");
    expect(error.message).toContain("neither a torch checkpoint");
  });

  it("2. walks a shared dict once: 30 levels that each hold the previous twice open at once with one name", async () => {
    for (const depth of [23, 30]) {
      const checkpoint = await openCheckpointSource(bufferSource(sharedDictArchive(depth), `shared-${depth}`));
      expect(checkpoint.names()).toEqual([`${"a.".repeat(Math.min(depth, 31))}t`]);
    }
  });

  it("2. refuses a LONG opcode far longer than any state dict value instead of building it byte by byte", async () => {
    const pickle = Uint8Array.from([0x80, 2, 0x8b, 0x00, 0x00, 0x10, 0x00, ...new Uint8Array(0x100000), 0x2e]);
    const error = await failure(TorchCheckpoint.fromBytes(craftZip([{ name: "a/data.pkl", data: pickle }])));
    expect(error.code).toBe("FILE_CORRUPT");
    expect(error.message).toContain("LONG of 1048576 bytes");
  });

  it("3. refuses a metadata record that inflates past its declared size (a zip bomb) without inflating it all", async () => {
    const bomb = new Uint8Array(32 * 1024 * 1024); // 32 MiB of zeros deflates to ~32 KB
    const archive = craftZip([
      { name: "a/data.pkl", data: new PickleWriter().emptyDict().finish() },
      { name: "a/byteorder", data: bomb, deflate: true, declaredSize: 6 },
    ]);
    expect(archive.byteLength).toBeLessThan(100_000);
    const error = await failure(TorchCheckpoint.fromBytes(archive));
    expect(error.code).toBe("FILE_CORRUPT");
    expect(error.message).toContain("inflates to more than its declared 6 bytes");
  });

  it("3. refuses a metadata record that declares gigabytes before reading it", async () => {
    const archive = craftZip([
      { name: "a/data.pkl", data: new PickleWriter().emptyDict().finish() },
      { name: "a/byteorder", data: Buffer.from("little"), deflate: true, declaredSize: 3 * 1024 ** 3 },
    ]);
    expect((await failure(TorchCheckpoint.fromBytes(archive))).message).toMatch(/byteorder declares 3221225472 bytes, more than the 4096/);
  });

  it("3. inflates a deflated storage once however many tensors read it", async () => {
    const values = Float32Array.from({ length: 4096 }, (_, i) => i);
    const archive = viewArchive(
      { storage: "FloatStorage", numel: 4096, offset: 0, shape: [4096], stride: [1] },
      new Uint8Array(values.buffer),
      { deflate: true },
    );
    const { source, counter } = countingSource(archive);
    const checkpoint = await TorchCheckpoint.fromSource(source);
    const before = counter.bytes;
    expect((await checkpoint.tensor("t")).data).toEqual(values);
    const once = counter.bytes - before;
    for (let i = 0; i < 5; i++) await checkpoint.tensor("t");
    expect(counter.bytes - before).toBeLessThan(once + 5 * 64); // later reads touch only local headers
  });

  it("4. refuses an expanded (stride-0) view instead of materialising it, whatever its claimed size", async () => {
    for (const size of [2e9, 1e12]) {
      const archive = viewArchive({ storage: "FloatStorage", numel: 1, offset: 0, shape: [size], stride: [0] }, float32(1));
      const error = await failure((await TorchCheckpoint.fromBytes(archive)).tensor("t"));
      expect(error.message).toMatch(/expanded view|more than one array can hold/);
    }
    const small = viewArchive({ storage: "FloatStorage", numel: 1, offset: 0, shape: [4], stride: [0] }, float32(1));
    const error = await failure((await TorchCheckpoint.fromBytes(small)).tensor("t"));
    expect(error.code).toBe("MODEL_INVALID");
    expect(error.message).toContain(".contiguous()");
  });

  it("5. reports a corrupt deflate stream as a corrupt file, not with zlib's bare message", async () => {
    const archive = craftZip([
      { name: "a/data.pkl", data: new Uint8Array(40), deflate: true, stored: Uint8Array.of(0xff, 0xff, 0xff, 0xff) },
    ]);
    const error = await failure(TorchCheckpoint.fromBytes(archive));
    expect(error.code).toBe("FILE_CORRUPT");
    expect(error.message).toContain("corrupt deflate stream");
  });

  it("5. refuses an F32 tensor over 4 GiB before allocating (a sparse 8 GiB safetensors file)", async () => {
    const count = 2 ** 31;
    const header = safetensorsHeader({ big: { dtype: "F32", shape: [count], data_offsets: [0, count * 4] } });
    const source = sparseSource(header, header.byteLength + count * 4, "huge.safetensors");
    const checkpoint = await openCheckpointSource(source);
    const error = await failure(checkpoint.tensor("big"));
    expect(error.code).toBe("FILE_CORRUPT");
    expect(error.message).toContain("more than one array can hold");
  });

  it("6. refuses NaN and fractional storage offsets, as torch's weights_only loader does", async () => {
    for (const offset of [Number.NaN, 0.5]) {
      const archive = viewArchive({ storage: "FloatStorage", numel: 4, offset, shape: [2], stride: [1] }, float32(1, 2, 3, 4));
      const error = await failure(TorchCheckpoint.fromBytes(archive));
      expect(error.code).toBe("FILE_CORRUPT");
      expect(error.message).toContain("storage offset");
    }
  });

  it("6. refuses overlapping, gapped or short safetensors data_offsets, as the safetensors library does", () => {
    const data = new Uint8Array(16);
    const parse =
      (header: Record<string, unknown>, bytes = data) =>
      () =>
        parseSafetensorsHeader(safetensorsHeader(header, bytes), 8 + JSON.stringify(header).length + bytes.byteLength, "t.safetensors");
    expect(
      parse({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }),
    ).toThrow(/overlaps/);
    expect(
      parse({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [12, 16] } }),
    ).toThrow(/belong to no tensor/);
    expect(parse({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } })).toThrow(/end at byte 8 of a 16-byte/);
    expect(
      parse({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [8, 16] } })().entries
        .size,
    ).toBe(2);
  });

  it("refuses a pickle that names too long a tensor path", async () => {
    const w = new PickleWriter().emptyDict().string("x".repeat(5000));
    writeView(w, { storage: "FloatStorage", numel: 1, offset: 0, shape: [1], stride: [1] }).setItem();
    const error = await failure(
      TorchCheckpoint.fromBytes(
        craftZip([
          { name: "a/data.pkl", data: w.finish() },
          { name: "a/data/0", data: float32(1) },
        ]),
      ),
    );
    expect(error.message).toContain("longer than 4096 characters");
  });
});
