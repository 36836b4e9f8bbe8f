import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ArcFaceRecognizer, detectRecognizerNormalization, l2Normalize } from "../../../core/face/recognizer.js";
import { ErrorCode, InstantIdError } from "../../../core/errors.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";

/** Protobuf bytes of a ModelProto whose graph holds nodes with these names (enough for the normalisation rule). */
function modelWithNodes(names: string[]): Uint8Array {
  const field = (number: number, payload: Uint8Array) => Uint8Array.from([(number << 3) | 2, payload.length, ...payload]);
  const text = (s: string) => new TextEncoder().encode(s);
  const nodes = names.map((name) => field(1, Uint8Array.from([...field(3, text(name)), ...field(4, text(name.split("_")[0]))])));
  const graph = Uint8Array.from(nodes.flatMap((n) => [...n]));
  return Uint8Array.from([0x08, 0x07, ...field(7, graph)]);
}

describe("detectRecognizerNormalization", () => {
  it("takes raw pixels (mean 0, std 1) when the first nodes include Sub and Mul, as insightface", async () => {
    const path = join(await tempDir(), "r.onnx");
    await writeFile(path, modelWithNodes(["Sub_0", "Mul_1", "Conv_2"]));
    expect(await detectRecognizerNormalization(path)).toEqual({ mean: 0, std: 1 });
  });

  it("uses mean 127.5 and std 127.5 otherwise", async () => {
    const path = join(await tempDir(), "r.onnx");
    await writeFile(path, modelWithNodes(["Conv_0", "Mul_1", "PRelu_2"]));
    expect(await detectRecognizerNormalization(path)).toEqual({ mean: 127.5, std: 127.5 });
  });
});

describe("l2Normalize", () => {
  it("scales to unit length and leaves a zero vector at zero", () => {
    expect([...l2Normalize(Float32Array.from([3, 4]))]).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect([...l2Normalize(new Float32Array(3))]).toEqual([0, 0, 0]);
  });
});

describe("ArcFaceRecognizer.load", () => {
  it("reports a truncated model as MODEL_INVALID", async () => {
    const path = join(await tempDir(), "rec.onnx");
    await writeFile(path, modelWithNodes(["Conv_0"]).subarray(0, 9));
    const error = await ArcFaceRecognizer.load({ path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstantIdError);
    expect((error as InstantIdError).code).toBe(ErrorCode.ModelInvalid);
  });
});

describeShared("ArcFaceRecognizer with recognizer.onnx", "real/models/recognizer.onnx", () => {
  const path = sharedPath("real", "models", "recognizer.onnx");

  it("reads the crop size from the model and detects mean 127.5 / std 127.5 when none is given", async () => {
    const recognizer = await ArcFaceRecognizer.load({ path });
    expect(recognizer.inputSize).toBe(112);
    expect(recognizer.normalization).toEqual({ mean: 127.5, std: 127.5, channelOrder: "RGB" });
  });

  it("refuses a detector given as the recognizer, naming its outputs", async () => {
    const error = (await ArcFaceRecognizer.load({ path: sharedPath("real", "models", "det_500m.onnx") }).catch(
      (e: unknown) => e,
    )) as InstantIdError;
    expect(error.code).toBe(ErrorCode.ModelInvalid);
    expect(error.message).toContain("one embedding");
  });

  it("refuses a crop size the model does not take", async () => {
    const error = (await ArcFaceRecognizer.load({ path, inputSize: 128 }).catch((e: unknown) => e)) as InstantIdError;
    expect(error.code).toBe(ErrorCode.ModelInvalid);
    expect(error.message).toContain("112x112");
  });

  it("gives a different embedding for the other channel order, so the override matters", async () => {
    const crop = { width: 112, height: 112, data: Uint8Array.from({ length: 112 * 112 * 3 }, (_, i) => (i * 37) % 256) };
    const rgb = await (await ArcFaceRecognizer.load({ path, mean: 127.5, std: 128, channelOrder: "RGB" })).embedCrop(crop);
    const bgr = await (await ArcFaceRecognizer.load({ path, mean: 127.5, std: 128, channelOrder: "BGR" })).embedCrop(crop);
    expect(rgb.embedding.length).toBe(512);
    expect(rgb.embedding).not.toEqual(bgr.embedding);
  });
});
