import type { RgbImage } from "../image/rgb-image.js";
import { letterbox, letterboxGeometry, type LetterboxedInput } from "./letterbox.js";
import { NchwTensor, normalizationTable, type PixelNormalization } from "./normalize.js";
import { axisTable } from "./resize-axis.js";
import { ResizeKernel } from "./resize-kernel.js";
import { resizeLinearWasmInPlace } from "./resize-wasm.js";
import { javaScriptKernelAsked } from "./wasm-instance.js";

/**
 * Where a detector's input is built and read. On the WebAssembly kernel the letterbox stays in the kernel's own
 * memory and ONNX Runtime reads it there: no copy of the 4.9 MB tensor out of the kernel, and the padding is
 * written again only when the resized area moved. Each buffer has its own kernel instance, so what it holds
 * stays valid until its next {@link fill}, whatever other buffers do meanwhile.
 */
export class LetterboxBuffer {
  private readonly kernel = javaScriptKernelAsked() ? null : ResizeKernel.load();
  private spare?: Float32Array;
  /** The layout whose padding the kernel's memory holds, if any. */
  private padded?: string;

  /** Letterboxes `image` as {@link letterbox} does; the data is valid until this buffer's next fill. */
  fill(image: RgbImage, width: number, height: number, norm: PixelNormalization): LetterboxedInput {
    const data = this.kernel && this.fillInPlace(this.kernel, image, width, height, norm);
    if (data) return { ...letterboxGeometry(image.width, image.height, width, height), width, height, data };
    const length = 3 * width * height;
    if (this.spare?.length !== length) this.spare = new Float32Array(length);
    return letterbox(image, width, height, norm, this.spare);
  }

  private fillInPlace(kernel: ResizeKernel, image: RgbImage, width: number, height: number, norm: PixelNormalization) {
    const { resizedWidth, resizedHeight } = letterboxGeometry(image.width, image.height, width, height);
    const layout = `${width}x${height} ${resizedWidth}x${resizedHeight} ${norm.mean} ${norm.std} ${norm.channelOrder}`;
    const output = { rowStride: width, rows: height, order: norm.channelOrder };
    const xs = axisTable(image.width, resizedWidth, true, 3);
    const ys = axisTable(image.height, resizedHeight, false, 1);
    const data = resizeLinearWasmInPlace(kernel, image, xs, ys, normalizationTable(norm), output);
    if (!data) {
      this.padded = undefined;
      return undefined;
    }
    if (this.padded !== layout) new NchwTensor(width, height, norm, data).padOutside(resizedWidth, resizedHeight);
    this.padded = layout;
    return data;
  }
}

/**
 * Letterbox buffers kept for reuse: a detector takes one for each run and gives it back when the run is over,
 * so concurrent runs each get their own and a fresh multi-megabyte input is rarely needed.
 */
export class LetterboxPool {
  private readonly free: LetterboxBuffer[] = [];

  /** At most this many idle buffers are kept. */
  constructor(private readonly keep = 2) {}

  /** A buffer no run is using. */
  acquire(): LetterboxBuffer {
    return this.free.pop() ?? new LetterboxBuffer();
  }

  /** Gives a buffer back once nothing reads its data any more. */
  release(buffer: LetterboxBuffer): void {
    if (this.free.length < this.keep) this.free.push(buffer);
  }
}
