import { ErrorCode, InstantIdError } from "../errors.js";
import type { RgbImage } from "../image/rgb-image.js";
import { FACE_NET_THREADS } from "./threads.js";
import { fromOrtTensor, loadSession, runSession, toOrtTensor, type OrtSession } from "../runtime/session.js";
import { LetterboxPool } from "./letterbox-buffer.js";
import { describeOutputs, imageInputSpec, outputShapes, type ImageInputSpec } from "./model-io.js";
import type { PixelNormalization } from "./normalize.js";
import { decodeScrfd } from "./scrfd-decode.js";
import { groupScrfdOutputs } from "./scrfd-outputs.js";
import type { Detection } from "./types.js";

/** How to load and run an SCRFD detector. */
export interface DetectorOptions {
  readonly path: string;
  /** Square detection size for models with a dynamic input (default 640). */
  readonly inputSize?: number;
  /** Pixel normalisation (default RGB, mean 127.5, std 128, as insightface). */
  readonly mean?: number;
  readonly std?: number;
  readonly channelOrder?: "RGB" | "BGR";
  /** Minimum face score (default 0.5). */
  readonly threshold?: number;
  /** NMS IoU threshold (default 0.4). */
  readonly nmsThreshold?: number;
  /** When nothing is found, retry at smaller sizes (576, 512, … 192) as ComfyUI_InstantID does (default true). */
  readonly retrySmaller?: boolean;
}

/** Faces found and the detection size that found them. */
export interface DetectionResult {
  readonly detections: Detection[];
  readonly size: readonly [width: number, height: number];
}

const SMALLEST_RETRY = 192;
const RETRY_STEP = 64;

/** Detection sizes to try, largest first: the configured size, then every multiple of 64 below it down to 192. */
export function detectionSizes(size: number, retrySmaller: boolean): number[] {
  const sizes = [size];
  if (!retrySmaller) return sizes;
  for (let s = Math.ceil(size / RETRY_STEP) * RETRY_STEP - RETRY_STEP; s >= SMALLEST_RETRY; s -= RETRY_STEP) if (s < size) sizes.push(s);
  return sizes;
}

function checkOutputs(session: OrtSession, path: string): void {
  const widths = outputShapes(session).map((o) => o.shape[o.shape.length - 1]);
  const count = (w: number) => widths.filter((x) => x === w).length;
  const symbolic = widths.some((w) => typeof w !== "number");
  if (widths.length !== 9 || (!symbolic && (count(1) !== 3 || count(4) !== 3 || count(10) !== 3))) {
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      `The face detector ${path} does not look like SCRFD with keypoints: expected 9 outputs (scores [N,1], boxes [N,4], ` +
        `keypoints [N,10] for strides 8, 16, 32) but found ${describeOutputs(session)}. Use det_500m.onnx, scrfd_10g_bnkps.onnx ` +
        `or another *_bnkps export.`,
      { details: { path } },
    );
  }
}

/** An SCRFD face detector (insightface's `SCRFD`), loaded once and safe to call concurrently. */
export class ScrfdDetector {
  private readonly inputs = new LetterboxPool();

  private constructor(
    private readonly session: OrtSession,
    private readonly input: ImageInputSpec,
    private readonly options: DetectorOptions,
    /** The pixel normalisation fed to the network. */
    readonly normalization: PixelNormalization,
  ) {}

  /** Loads the model and checks that its input and outputs are SCRFD's. */
  static async load(options: DetectorOptions): Promise<ScrfdDetector> {
    const session = await loadSession(options.path, { what: "face detector", intraOpThreads: FACE_NET_THREADS });
    const input = imageInputSpec(session, "face detector", options.path);
    checkOutputs(session, options.path);
    const norm: PixelNormalization = { mean: options.mean ?? 127.5, std: options.std ?? 128, channelOrder: options.channelOrder ?? "RGB" };
    return new ScrfdDetector(session, input, options, norm);
  }

  /** True when the model accepts any input size (so smaller retries are possible). */
  get dynamicInput(): boolean {
    return this.input.width === undefined || this.input.height === undefined;
  }

  /** The sizes {@link detect} tries, in order. */
  get sizes(): readonly (readonly [number, number])[] {
    if (!this.dynamicInput) return [[this.input.width!, this.input.height!]];
    return detectionSizes(this.options.inputSize ?? 640, this.options.retrySmaller ?? true).map((s) => [s, s] as const);
  }

  /** Runs the detector at one input size and returns detections in image pixels, in insightface's order. */
  async detectAt(image: RgbImage, width: number, height: number, maxNum = 0): Promise<Detection[]> {
    const input = this.inputs.acquire();
    try {
      const boxed = input.fill(image, width, height, this.normalization);
      const feeds = { [this.input.name]: toOrtTensor({ shape: [1, 3, height, width], data: boxed.data }) };
      const results = await runSession(this.session, feeds, "face detector");
      const outputs = this.session.outputNames.map((name) => ({ name, ...fromOrtTensor(results[name], `face detector output ${name}`) }));
      const heads = groupScrfdOutputs(outputs, width, height);
      return decodeScrfd(heads, {
        inputWidth: width,
        inputHeight: height,
        imageWidth: image.width,
        imageHeight: image.height,
        detScale: boxed.detScale,
        threshold: this.options.threshold,
        nmsThreshold: this.options.nmsThreshold,
        maxNum,
      });
    } finally {
      this.inputs.release(input);
    }
  }

  /** Detects faces, retrying at smaller sizes when none is found; throws NO_FACE listing every size tried. */
  async detect(image: RgbImage, maxNum = 0): Promise<DetectionResult> {
    for (const [width, height] of this.sizes) {
      const detections = await this.detectAt(image, width, height, maxNum);
      if (detections.length) return { detections, size: [width, height] };
    }
    const tried = this.sizes.map(([w, h]) => (w === h ? `${w}` : `${w}x${h}`));
    throw new InstantIdError(
      ErrorCode.NoFace,
      `No face found in the ${image.width}x${image.height} image at detection sizes ${tried.join(", ")} (score threshold ` +
        `${this.options.threshold ?? 0.5}). ` +
        "Use a photo where one face is clearly visible, frontal and not tiny, or lower the threshold.",
      { details: { sizesTried: this.sizes.map(([w]) => w), threshold: this.options.threshold ?? 0.5 } },
    );
  }
}
