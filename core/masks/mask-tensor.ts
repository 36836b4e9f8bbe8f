import { ErrorCode, InstantIdError } from "../errors.js";
import type { RegionMask } from "./face-mask.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * A region mask as the hooks take it: a `RegionMask` from `faceRegionMask`, or a one-channel tensor
 * ([H, W], [1, H, W] or [1, 1, H, W]), values usually in [0, 1], at any resolution.
 */
export type MaskInput = RegionMask | Tensor;

/** The mask as a [1, 1, H, W] tensor over the same data (no copy), refusing masks with several channels. */
export function maskTensor(mask: MaskInput): Tensor {
  if (!("shape" in mask)) return { shape: [1, 1, mask.height, mask.width], data: mask.data };
  const { height, width } = maskSize(mask);
  return { shape: [1, 1, height, width], data: mask.data };
}

/** Height and width of a one-channel mask tensor, refusing masks with more than one channel. */
export function maskSize(mask: Tensor): { height: number; width: number } {
  const lead = mask.shape.slice(0, -2);
  if (mask.shape.length < 2 || lead.some((d) => d !== 1)) {
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `A region mask must be [H, W], [1, H, W] or [1, 1, H, W] but has shape [${mask.shape.join(", ")}]`,
    );
  }
  return { height: mask.shape[mask.shape.length - 2], width: mask.shape[mask.shape.length - 1] };
}

/**
 * Resizes a mask to height × width with bilinear interpolation and align_corners = false
 * (PyTorch's `F.interpolate(mode="bilinear")` without antialiasing), returning [height, width].
 */
export function resizeMaskBilinear(mask: Tensor, height: number, width: number): Float32Array {
  const { height: inH, width: inW } = maskSize(mask);
  const out = new Float32Array(height * width);
  const ys = sampleAxis(inH, height);
  const xs = sampleAxis(inW, width);
  const src = mask.data;
  for (let y = 0; y < height; y++) {
    const r0 = ys.i0[y] * inW;
    const r1 = ys.i1[y] * inW;
    const ly = ys.l[y];
    for (let x = 0; x < width; x++) {
      const lx = xs.l[x];
      const top = src[r0 + xs.i0[x]] * (1 - lx) + src[r0 + xs.i1[x]] * lx;
      const bottom = src[r1 + xs.i0[x]] * (1 - lx) + src[r1 + xs.i1[x]] * lx;
      out[y * width + x] = top * (1 - ly) + bottom * ly;
    }
  }
  return out;
}

function sampleAxis(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; l: Float32Array } {
  const scale = inSize / outSize;
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const l = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const source = Math.max((o + 0.5) * scale - 0.5, 0);
    i0[o] = Math.min(Math.floor(source), inSize - 1);
    i1[o] = Math.min(i0[o] + 1, inSize - 1);
    l[o] = source - i0[o];
  }
  return { i0, i1, l };
}
