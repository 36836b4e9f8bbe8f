import { describe, expect, it } from "vitest";
import { resizeLinear } from "../../../core/face/resize-linear.js";

// A 4x3 RGB image and what OpenCV 4.6's cv2.resize(src, (w, h)) (INTER_LINEAR) returns for it.
const SOURCE = {
  width: 4,
  height: 3,
  data: Uint8Array.from([
    0, 10, 255, 50, 60, 70, 200, 100, 0, 255, 255, 255, 30, 40, 50, 90, 80, 70, 1, 2, 3, 128, 64, 32, 250, 0, 125, 17, 34, 51, 99, 88, 77,
    5, 6, 7,
  ]),
};
const UP_7x5 = [
  0, 10, 255, 18, 28, 189, 46, 56, 83, 125, 80, 35, 204, 111, 18, 235, 199, 164, 255, 255, 255, 12, 22, 173, 31, 38, 136, 62, 65, 77, 93,
  64, 36, 126, 69, 13, 174, 136, 107, 204, 179, 166, 30, 40, 50, 51, 54, 57, 86, 77, 69, 46, 41, 37, 10, 6, 5, 83, 42, 22, 128, 64, 32, 162,
  16, 95, 121, 29, 82, 54, 50, 61, 53, 53, 53, 59, 52, 45, 56, 38, 28, 54, 29, 17, 250, 0, 125, 167, 12, 98, 33, 32, 56, 58, 61, 64, 92, 82,
  72, 38, 35, 32, 5, 6, 7,
];
const DOWN_3x2 = [16, 25, 181, 105, 70, 35, 211, 185, 166, 168, 16, 98, 55, 56, 57, 42, 28, 21];

describe("resizeLinear", () => {
  it("reproduces OpenCV's INTER_LINEAR bytes when upscaling", () => {
    expect([...resizeLinear(SOURCE, 7, 5).data]).toEqual(UP_7x5);
  });

  it("reproduces OpenCV's INTER_LINEAR bytes when downscaling", () => {
    expect([...resizeLinear(SOURCE, 3, 2).data]).toEqual(DOWN_3x2);
  });

  it("keeps a flat image flat at any size", () => {
    const flat = { width: 5, height: 4, data: new Uint8Array(5 * 4 * 3).fill(77) };
    expect(resizeLinear(flat, 13, 2).data.every((v) => v === 77)).toBe(true);
  });
});
