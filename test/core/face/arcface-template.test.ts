import { describe, expect, it } from "vitest";
import { arcfaceTemplate } from "../../../core/face/arcface-template.js";

describe("arcfaceTemplate", () => {
  it("is insightface's 112 template at 112 and scales it for multiples of 112", () => {
    expect(arcfaceTemplate(112)[0]).toEqual([Math.fround(38.2946), Math.fround(51.6963)]);
    expect(arcfaceTemplate(224)[4][0]).toBeCloseTo(70.7299 * 2, 4);
  });

  it("scales by size/128 and shifts right by 8·size/128 otherwise", () => {
    const [x, y] = arcfaceTemplate(128)[0];
    expect(x).toBeCloseTo(38.2946 + 8, 4);
    expect(y).toBeCloseTo(51.6963, 4);
    expect(arcfaceTemplate(256)[0][0]).toBeCloseTo((38.2946 + 8) * 2, 4);
  });
});
