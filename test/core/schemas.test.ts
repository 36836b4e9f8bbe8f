import { describe, expect, it } from "vitest";
import {
  controlImageSchema,
  isRegionMask,
  isRgbImage,
  isTensor,
  maskOrImageSchema,
  maskSchema,
  rgbImageSchema,
  tensorSchema,
} from "../../core/schemas.js";

const tensor = { shape: [1, 2, 3], data: new Float32Array(6) };
const image = { width: 2, height: 3, data: new Uint8Array(18) };
const mask = { width: 4, height: 2, data: new Float32Array(8) };

describe("the core's schemas for tensors, images and masks", () => {
  it("accepts each type whose data has the size its dimensions say", () => {
    expect(isTensor(tensor)).toBe(true);
    expect(isTensor({ shape: [], data: new Float32Array(1) })).toBe(true);
    expect(isRgbImage(image)).toBe(true);
    expect(isRegionMask(mask)).toBe(true);
  });

  it("refuses a data length that does not match, another element type, and bad dimensions", () => {
    expect(isTensor({ shape: [2, 3], data: new Float32Array(5) })).toBe(false);
    expect(isTensor({ shape: [2, 3], data: new Float64Array(6) })).toBe(false);
    expect(isTensor({ shape: [2, -3], data: new Float32Array(6) })).toBe(false);
    expect(isTensor({ shape: [1.5], data: new Float32Array(1) })).toBe(false);
    expect(isTensor({ shape: "2x3", data: new Float32Array(6) })).toBe(false);
    expect(isRgbImage({ ...image, data: new Uint8Array(17) })).toBe(false);
    expect(isRgbImage({ ...image, width: 0, data: new Uint8Array(0) })).toBe(false);
    expect(isRgbImage({ ...image, data: new Float32Array(18) })).toBe(false);
    expect(isRegionMask({ ...mask, data: new Float32Array(7) })).toBe(false);
    expect(isRegionMask({ ...mask, data: new Uint8Array(8) })).toBe(false);
    for (const v of [null, undefined, 3, "tensor", []]) {
      expect(isTensor(v) || isRgbImage(v) || isRegionMask(v)).toBe(false);
    }
  });

  it("takes the unions the hooks and compositions accept, with one message each", () => {
    expect(controlImageSchema.safeParse(image).success).toBe(true);
    expect(controlImageSchema.safeParse({ shape: [1, 3, 2, 2], data: new Float32Array(12) }).success).toBe(true);
    expect(controlImageSchema.safeParse(mask).success).toBe(false);
    expect(maskSchema.safeParse(mask).success).toBe(true);
    expect(maskSchema.safeParse(tensor).success).toBe(true);
    expect(maskSchema.safeParse(image).success).toBe(false);
    expect(maskOrImageSchema.safeParse(image).success).toBe(true);
    const refused = tensorSchema.safeParse({ shape: [2], data: new Float32Array(3) });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0].message).toMatch(/as many values as its shape/);
    expect(rgbImageSchema.safeParse(image).data).toBe(image);
  });
});
