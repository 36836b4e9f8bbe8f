import { tensor, type ControlImage, type RgbImage, type Tensor } from "../../core/index.js";

/** A note the runner adds to its result: something it did that the caller may not expect. */
export interface GenerateWarning {
  readonly code: "CONTROL_IMAGE_RESIZED" | "CONTROL_ASPECT_CHANGED" | "PROMPT_TRUNCATED";
  readonly message: string;
}

const lanczos = (x: number): number => {
  if (x <= -3 || x >= 3) return 0;
  const sinc = (v: number) => (v === 0 ? 1 : Math.sin(Math.PI * v) / (Math.PI * v));
  return sinc(x) * sinc(x / 3);
};

/** Fixed-point bits of the 8-bit coefficients, as Pillow's Resample.c (32 − 8 − 2). */
const PRECISION_BITS = 22;

interface AxisWeights {
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly weights: Int32Array;
  readonly taps: number;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for one axis (the filter widened by the downscale factor). */
function axisWeights(inSize: number, outSize: number): AxisWeights {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 3 * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const k = new Float64Array(taps);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const min = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - min;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += k[i] = lanczos((i + min - center + 0.5) / filterScale);
    for (let i = 0; i < n; i++) {
      const w = sum !== 0 ? k[i] / sum : k[i];
      weights[o * taps + i] = Math.trunc(w * (1 << PRECISION_BITS) + (w < 0 ? -0.5 : 0.5));
    }
    first[o] = min;
    count[o] = n;
  }
  return { first, count, weights, taps };
}

const clip8 = (acc: number): number => Math.min(255, Math.max(0, Math.floor(acc / (1 << PRECISION_BITS))));

/** One separable pass along x (`horizontal`) or y, on interleaved 8-bit RGB. */
function pass(src: Uint8Array, width: number, height: number, outWidth: number, outHeight: number, horizontal: boolean): Uint8Array {
  const axis = horizontal ? axisWeights(width, outWidth) : axisWeights(height, outHeight);
  const out = new Uint8Array(outWidth * outHeight * 3);
  const half = 1 << (PRECISION_BITS - 1);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const o = horizontal ? x : y;
      const base = o * axis.taps;
      for (let c = 0; c < 3; c++) {
        let acc = half;
        for (let i = 0; i < axis.count[o]; i++) {
          const at = horizontal ? (y * width + axis.first[o] + i) * 3 + c : ((axis.first[o] + i) * width + x) * 3 + c;
          acc += src[at] * axis.weights[base + i];
        }
        out[(y * outWidth + x) * 3 + c] = clip8(acc);
      }
    }
  }
  return out;
}

/**
 * Resizes 8-bit RGB as Pillow's `Image.resize(size, Image.LANCZOS)` does (what diffusers'
 * `VaeImageProcessor` uses for ControlNet images): separable Lanczos-3 widened by the downscale
 * factor, 22-bit fixed-point weights, horizontal pass first, each pass rounded to 8 bits.
 */
export function resizeLanczos(image: RgbImage, width: number, height: number): RgbImage {
  let data = image.data;
  let w = image.width;
  if (width !== image.width) data = pass(data, w, image.height, (w = width), image.height, true);
  if (height !== image.height) data = pass(data, w, image.height, w, height, false);
  return { width, height, data: data === image.data ? data.slice() : data };
}

/** Bilinear (half-pixel centres, as torch's interpolate without antialias) on a [1, 3, H, W] tensor. */
function resizeTensor(t: Tensor, width: number, height: number): Tensor {
  const [, channels, inH, inW] = t.shape;
  const out = new Float32Array(channels * width * height);
  const sample = (inSize: number, outSize: number, o: number) => {
    const at = Math.max((o + 0.5) * (inSize / outSize) - 0.5, 0);
    const i0 = Math.min(Math.floor(at), inSize - 1);
    return { i0, i1: Math.min(i0 + 1, inSize - 1), f: at - i0 };
  };
  for (let y = 0; y < height; y++) {
    const sy = sample(inH, height, y);
    for (let x = 0; x < width; x++) {
      const sx = sample(inW, width, x);
      for (let c = 0; c < channels; c++) {
        const plane = c * inH * inW;
        const top = t.data[plane + sy.i0 * inW + sx.i0] * (1 - sx.f) + t.data[plane + sy.i0 * inW + sx.i1] * sx.f;
        const bottom = t.data[plane + sy.i1 * inW + sx.i0] * (1 - sx.f) + t.data[plane + sy.i1 * inW + sx.i1] * sx.f;
        out[c * width * height + y * width + x] = top * (1 - sy.f) + bottom * sy.f;
      }
    }
  }
  return tensor([1, channels, height, width], out);
}

const sizeOf = (image: ControlImage) =>
  "shape" in image ? { width: image.shape[3], height: image.shape[2] } : { width: image.width, height: image.height };

/**
 * The conditioning image at the output size, as diffusers' `prepare_image` gives it to the
 * ControlNet: resized (stretched, Pillow Lanczos for 8-bit images, bilinear for tensors) when its size
 * differs, with a warning, and a second one when that changes its aspect ratio by more than 1 %.
 */
export function fitControlImage(image: ControlImage, size: { width: number; height: number }, warnings: GenerateWarning[]): ControlImage {
  const from = sizeOf(image);
  if (from.width === size.width && from.height === size.height) return image;
  warnings.push({
    code: "CONTROL_IMAGE_RESIZED",
    message:
      `The keypoint image is ${from.width}x${from.height}; it was resized to the output size ` +
      `${size.width}x${size.height}, as diffusers' prepare_image does.`,
  });
  const change = size.width / size.height / (from.width / from.height);
  if (Math.abs(change - 1) > 0.01) {
    warnings.push({
      code: "CONTROL_ASPECT_CHANGED",
      message:
        `Resizing the ${from.width}x${from.height} keypoint image to ${size.width}x${size.height} stretches it by ` +
        `${(Math.abs(change - 1) * 100).toFixed(1)} % (aspect ratio ${(from.width / from.height).toFixed(3)} → ` +
        `${(size.width / size.height).toFixed(3)}): faces come out distorted. Draw the keypoints at the output size (instantid ` +
        `kps --size ${size.width}x${size.height}) or leave width/height out to take the keypoint image's size.`,
    });
  }
  return "shape" in image ? resizeTensor(image, size.width, size.height) : resizeLanczos(image, size.width, size.height);
}
