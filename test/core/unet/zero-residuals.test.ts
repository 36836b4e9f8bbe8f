import { describe, expect, it } from "vitest";
import { zeroResiduals } from "../../../core/unet/zero-residuals.js";

describe("zeroResiduals", () => {
  it("takes fixed sizes from the graph and the batch from the sample", () => {
    const names = { down: ["d0"], mid: "m" };
    const zeros = zeroResiduals(names, { d0: ["batch", 32, 16, 16], m: ["batch", 64, 8, 8] }, [2, 4, 16, 16]);
    expect(zeros.down[0].shape).toEqual([2, 32, 16, 16]);
    expect(zeros.mid.shape).toEqual([2, 64, 8, 8]);
    expect(zeros.mid.data.every((v) => v === 0)).toBe(true);
  });

  it("falls back to SDXL's nine-skip layout when the graph leaves sizes symbolic", () => {
    const names = { down: Array.from({ length: 9 }, (_, i) => `d${i}`), mid: "m" };
    const zeros = zeroResiduals(names, {}, [2, 4, 128, 96]);
    expect(zeros.down.map((t) => t.shape)).toEqual([
      [2, 320, 128, 96], [2, 320, 128, 96], [2, 320, 128, 96], [2, 320, 64, 48], [2, 640, 64, 48],
      [2, 640, 64, 48], [2, 640, 32, 24], [2, 1280, 32, 24], [2, 1280, 32, 24],
    ]);
    expect(zeros.mid.shape).toEqual([2, 1280, 32, 24]);
  });

  it("says which input it cannot size for other layouts", () => {
    expect(() => zeroResiduals({ down: ["d0"], mid: "m" }, { d0: ["b", "c", "h", "w"] }, [1, 4, 8, 8])).toThrow(/shape of UNet residual input d0/);
  });
});
