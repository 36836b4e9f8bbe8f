import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../core/errors.js";
import type { FiveKeypoints } from "../../../core/face/types.js";
import { decodeIdentity, encodeIdentity, loadIdentity, saveIdentity } from "../../../core/identity/file.js";
import { createIdentity } from "../../../core/identity/identity.js";
import { modelRef } from "../../../core/identity/model-ref.js";
import { encodeSafetensors } from "../../../core/tensor/safetensors.js";
import { tempDir } from "../../helpers/shared.js";

const kps: FiveKeypoints = [
  [10, 10],
  [20, 10],
  [15, 15],
  [11, 20],
  [19, 20],
];
const identity = createIdentity(
  [
    { embedding: Float32Array.from([0.5, -1.25, 3, 7]), kps, width: 64, height: 48 },
    { embedding: Float32Array.from([1, 2, 3, 4]), kps, width: 32, height: 32 },
  ],
  { combine: "concat", models: [{ name: "recognizer.onnx", sha256: "f00d" }] },
);

function withMetadata(patch: Record<string, string>, data = Float32Array.from([1, 2, 3, 4]), shape = [1, 4]): Buffer {
  return encodeSafetensors(
    { embeddings: { shape, data } },
    { format: "instantid.identity", format_version: "1", dimension: "4", combine: "average", sources: "[]", models: "[]", ...patch },
  );
}

const corrupt = expect.objectContaining({ code: ErrorCode.FileCorrupt });

describe("identity files", () => {
  it("round-trips embeddings, combine mode, sources and models through a file", async () => {
    const path = join(await tempDir(), "alice.identity.safetensors");
    await saveIdentity(path, identity);
    const loaded = await loadIdentity(path, { dimension: 4 });
    expect(loaded).toEqual(identity);
  });

  it("refuses a truncated file with FILE_CORRUPT", () => {
    const bytes = encodeIdentity(identity);
    expect(() => decodeIdentity(bytes.subarray(0, bytes.length - 5))).toThrow(corrupt);
    expect(() => decodeIdentity(bytes.subarray(0, 4))).toThrow(corrupt);
  });

  it("refuses garbage and a safetensors file that is not an identity", () => {
    expect(() => decodeIdentity(Buffer.from("definitely not safetensors at all"))).toThrow(corrupt);
    const foreign = encodeSafetensors({ weight: { shape: [1], data: Float32Array.from([1]) } });
    expect(() => decodeIdentity(foreign)).toThrow(corrupt);
  });

  it("refuses a newer format version, naming the upgrade", () => {
    expect(() => decodeIdentity(withMetadata({ format_version: "2" }))).toThrow(
      expect.objectContaining({ code: ErrorCode.FileCorrupt, message: expect.stringContaining("upgrade") }),
    );
  });

  it("refuses non-finite values, a dimension that disagrees with the metadata, and bad shapes", () => {
    expect(() => decodeIdentity(withMetadata({}, Float32Array.from([1, Number.NaN, 3, 4])))).toThrow(corrupt);
    expect(() => decodeIdentity(withMetadata({ dimension: "512" }))).toThrow(corrupt);
    expect(() => decodeIdentity(withMetadata({}, Float32Array.from([1, 2, 3, 4]), [4]))).toThrow(corrupt);
    expect(() => decodeIdentity(withMetadata({ sources: "{oops" }))).toThrow(corrupt);
    expect(() => decodeIdentity(withMetadata({ combine: "median" }))).toThrow(corrupt);
  });

  it("refuses a dimension other than the one asked for with SHAPE_MISMATCH", () => {
    expect(() => decodeIdentity(withMetadata({}), "x", { dimension: 512 })).toThrow(
      expect.objectContaining({ code: ErrorCode.ShapeMismatch }),
    );
  });

  it("reports a missing file as INVALID_INPUT naming the path", async () => {
    await expect(loadIdentity("/nonexistent/x.identity.safetensors")).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
  });

  it("hashes model files by content", async () => {
    const path = join(await tempDir(), "m.onnx");
    await writeFile(path, "abc");
    expect(await modelRef(path)).toEqual({ name: "m.onnx", sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" });
  });
});
