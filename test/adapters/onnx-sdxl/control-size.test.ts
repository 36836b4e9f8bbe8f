import { describe, expect, it } from "vitest";
import { fitControlImage, resizeLanczos, type GenerateWarning } from "../../../adapters/onnx-sdxl/control-size.js";
import { tensor } from "../../../core/tensor/tensor.js";

// A 7x5 RGB pattern with every value different from its neighbours, so each filter tap shows.
const pattern = {
  width: 7,
  height: 5,
  data: Uint8Array.from({ length: 7 * 5 * 3 }, (_, i) => {
    const [p, c] = [Math.floor(i / 3), i % 3];
    return (((p % 7) * 37 + Math.floor(p / 7) * 91 + c * 53) * 7) % 256;
  }),
};

describe("resizeLanczos (Pillow's Image.resize(size, LANCZOS), as diffusers resizes ControlNet images)", () => {
  // Expected bytes from Pillow 9.4 (Debian's python3-pil) on the same pattern: Image.frombytes("RGB", (7, 5), ...).resize(size,
  // Image.LANCZOS).
  it("reproduces Pillow when downscaling both axes", () => {
    expect([...resizeLanczos(pattern, 3, 2).data]).toEqual([
      96, 171, 172, 54, 182, 179, 72, 145, 186, 198, 165, 165, 121, 172, 172, 63, 175, 179,
    ]);
  });

  it("reproduces Pillow when one axis keeps its size (a single vertical pass)", () => {
    expect([...resizeLanczos(pattern, 7, 3).data]).toEqual([
      54, 165, 179, 57, 168, 182, 60, 171, 185, 63, 174, 188, 62, 177, 191, 65, 180, 194, 68, 63, 197, 197, 180, 153, 200, 183, 156, 53,
      186, 159, 56, 189, 162, 77, 192, 165, 80, 195, 168, 83, 127, 171, 190, 154, 168, 193, 157, 171, 196, 160, 174, 199, 163, 177, 51, 166,
      180, 54, 169, 183, 57, 191, 186,
    ]);
  });

  it("reproduces Pillow when upscaling (first row of 11x8)", () => {
    expect([...resizeLanczos(pattern, 11, 8).data.subarray(0, 33)]).toEqual([
      0, 98, 247, 0, 99, 248, 0, 101, 250, 0, 103, 252, 0, 105, 254, 0, 107, 255, 0, 110, 255, 0, 111, 255, 0, 113, 255, 0, 136, 255, 1,
      151, 255,
    ]);
  });
});

describe("fitControlImage", () => {
  it("returns an image of the output size as it is, without warnings", () => {
    const warnings: GenerateWarning[] = [];
    expect(fitControlImage(pattern, { width: 7, height: 5 }, warnings)).toBe(pattern);
    expect(warnings).toEqual([]);
  });

  it("resizes a [1, 3, H, W] tensor bilinearly, keeping a constant image constant, and warns about a changed aspect ratio", () => {
    const warnings: GenerateWarning[] = [];
    const out = fitControlImage(tensor([1, 3, 4, 6], new Float32Array(72).fill(0.25)), { width: 8, height: 8 }, warnings);
    expect("shape" in out && out.shape).toEqual([1, 3, 8, 8]);
    expect("shape" in out && out.data.every((v) => Math.abs(v - 0.25) < 1e-7)).toBe(true);
    expect(warnings.map((w) => w.code)).toEqual(["CONTROL_IMAGE_RESIZED", "CONTROL_ASPECT_CHANGED"]);
  });
});
