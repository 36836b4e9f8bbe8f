import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ScrfdDetector, detectionSizes } from "../../../core/face/detector.js";
import { ErrorCode } from "../../../core/errors.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";
import { failure } from "../../helpers/failure.js";

describe("detectionSizes", () => {
  it("retries every multiple of 64 from below the detection size down to 192", () => {
    expect(detectionSizes(640, true)).toEqual([640, 576, 512, 448, 384, 320, 256, 192]);
    expect(detectionSizes(320, true)).toEqual([320, 256, 192]);
    expect(detectionSizes(640, false)).toEqual([640]);
  });
});

describe("ScrfdDetector.load", () => {
  it("reports a missing model as MODEL_NOT_FOUND", async () => {
    const error = await failure(ScrfdDetector.load({ path: "/nonexistent/det.onnx" }));
    expect(error.code).toBe(ErrorCode.ModelNotFound);
    expect(error.message).toContain("/nonexistent/det.onnx");
  });

  it("reports a corrupt model file as MODEL_INVALID", async () => {
    const path = join(await tempDir(), "det.onnx");
    await writeFile(path, "this is not an onnx model");
    expect((await failure(ScrfdDetector.load({ path }))).code).toBe(ErrorCode.ModelInvalid);
  });
});

describeShared("ScrfdDetector with the real SCRFD models", "real/models/det_500m.onnx", () => {
  const models = (file: string) => sharedPath("real", "models", file);
  const blank = { width: 300, height: 200, data: new Uint8Array(300 * 200 * 3).fill(128) };

  it("refuses a model whose outputs are not SCRFD's, naming what it found", async () => {
    const error = await failure(ScrfdDetector.load({ path: models("recognizer.onnx") }));
    expect(error.code).toBe(ErrorCode.ModelInvalid);
    expect(error.message).toContain("9 outputs");
  });

  it("throws NO_FACE on a blank image after trying 640 down to 192", async () => {
    const detector = await ScrfdDetector.load({ path: models("det_500m.onnx") });
    const error = await failure(detector.detect(blank));
    expect(error.code).toBe(ErrorCode.NoFace);
    expect(error.details?.sizesTried).toEqual([640, 576, 512, 448, 384, 320, 256, 192]);
    expect(error.message).toContain("640, 576, 512, 448, 384, 320, 256, 192");
  });

  it("tries only its own size for a fixed-input export", async () => {
    const detector = await ScrfdDetector.load({ path: models("scrfd_500m_bnkps.onnx") });
    expect(detector.dynamicInput).toBe(false);
    expect((await failure(detector.detect(blank))).details?.sizesTried).toEqual([640]);
  });

  it("finds the same faces with the dynamic export and the fixed named-output export", async () => {
    const { loadImage } = await import("../../../core/image/io.js");
    const image = await loadImage(sharedPath("real", "images", "two_people.jpg"));
    const dynamic = await (await ScrfdDetector.load({ path: models("det_500m.onnx") })).detect(image);
    const fixed = await (await ScrfdDetector.load({ path: models("scrfd_500m_bnkps.onnx") })).detect(image);
    expect(fixed.detections.length).toBe(2);
    expect(dynamic.detections.length).toBe(2);
    fixed.detections.forEach((d, i) => d.bbox.forEach((v, k) => expect(Math.abs(v - dynamic.detections[i].bbox[k])).toBeLessThan(0.05)));
  });
});
