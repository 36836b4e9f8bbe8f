import { ErrorCode, InstantIdError } from "../errors.js";
import type { RgbImage } from "../image/rgb-image.js";
import { FACE_NET_THREADS } from "./threads.js";
import { fromOrtTensor, loadSession, runSession, toOrtTensor, type OrtSession } from "../runtime/session.js";
import { alignFaceInto } from "./align.js";
import { describeOutputs, imageInputSpec, type ImageInputSpec } from "./model-io.js";
import { NchwTensor, type PixelNormalization } from "./normalize.js";
import { readFirstOnnxNodes } from "./onnx-first-nodes.js";
import { TensorPool } from "./tensor-pool.js";
import type { FiveKeypoints } from "./types.js";

/** How to load and run an ArcFace-style recognizer. Unset normalisation is detected as insightface does. */
export interface RecognizerOptions {
  readonly path: string;
  /** Crop size; defaults to the model's fixed input size, else 112. */
  readonly inputSize?: number;
  readonly mean?: number;
  readonly std?: number;
  /** Default RGB (insightface swaps OpenCV's BGR to RGB). */
  readonly channelOrder?: "RGB" | "BGR";
}

/** A face's identity vector, raw (what InstantID feeds) and scaled to unit length. */
export interface Embedding {
  readonly embedding: Float32Array;
  readonly normedEmbedding: Float32Array;
}

/**
 * insightface's rule (`ArcFaceONNX.__init__`): a graph whose first 8 nodes include both a Sub and a Mul
 * (by node name) normalises inside, so it takes raw pixels (mean 0, std 1); otherwise mean 127.5, std 127.5.
 */
export async function detectRecognizerNormalization(path: string): Promise<{ mean: number; std: number }> {
  let nodes: { name: string }[];
  try {
    nodes = await readFirstOnnxNodes(path, 8);
  } catch (error) {
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      `Cannot read the graph of the face recognizer ${path}: ${(error as Error).message}. Download the model again.`,
      {
        cause: error,
        details: { path },
      },
    );
  }
  const has = (...prefixes: string[]) => nodes.some((n) => prefixes.some((p) => n.name.startsWith(p)));
  return has("Sub", "_minus") && has("Mul", "_mul") ? { mean: 0, std: 1 } : { mean: 127.5, std: 127.5 };
}

/** Refuses a model whose first output is not one embedding row ([1, D] or [D]), e.g. a detector given as recognizer. */
function checkEmbeddingOutput(session: OrtSession, path: string): void {
  const output = session.outputMetadata[0];
  const shape = output?.isTensor ? output.shape : undefined;
  const oneRow = shape !== undefined && (shape.length === 1 || (shape.length === 2 && (shape[0] === 1 || typeof shape[0] === "string")));
  if (!oneRow) {
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      `The face recognizer ${path} should output one embedding ([1,512] or similar) but its outputs are ` +
        `${describeOutputs(session)}. Check that the file is an ArcFace-style recognizer, not the detector.`,
      { details: { path } },
    );
  }
}

/** Scales a vector to unit length (a zero vector stays zero). */
export function l2Normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  return norm > 0 ? v.map((x) => x / norm) : v.slice();
}

/** An ArcFace-style recognizer (insightface's `ArcFaceONNX`): aligns a face by its keypoints and embeds it. */
export class ArcFaceRecognizer {
  private readonly inputs = new TensorPool();

  private constructor(
    private readonly session: OrtSession,
    private readonly input: ImageInputSpec,
    /** Side of the aligned square crop. */
    readonly inputSize: number,
    /** The pixel normalisation fed to the network. */
    readonly normalization: PixelNormalization,
  ) {}

  /** Loads the model, reads its input size and settles its normalisation. */
  static async load(options: RecognizerOptions): Promise<ArcFaceRecognizer> {
    const session = await loadSession(options.path, { what: "face recognizer", intraOpThreads: FACE_NET_THREADS });
    const input = imageInputSpec(session, "face recognizer", options.path);
    const size = options.inputSize ?? input.height ?? 112;
    if (
      (input.height !== undefined && input.height !== size) ||
      (input.width !== undefined && input.width !== size) ||
      (size % 112 !== 0 && size % 128 !== 0)
    ) {
      throw new InstantIdError(
        ErrorCode.ModelInvalid,
        `The face recognizer ${options.path} takes ${input.width ?? "?"}x${input.height ?? "?"} crops but ${size}x${size} was ` +
          `asked; ArcFace crops are square multiples of 112 or 128. Set inputSize to the model's size.`,
        { details: { path: options.path } },
      );
    }
    checkEmbeddingOutput(session, options.path);
    const detected =
      options.mean === undefined || options.std === undefined ? await detectRecognizerNormalization(options.path) : undefined;
    const normalization: PixelNormalization = {
      mean: options.mean ?? detected!.mean,
      std: options.std ?? detected!.std,
      channelOrder: options.channelOrder ?? "RGB",
    };
    return new ArcFaceRecognizer(session, input, size, normalization);
  }

  /** Embeds an already aligned square crop of {@link inputSize}. */
  async embedCrop(crop: RgbImage): Promise<Embedding> {
    return this.run((tensor) => {
      tensor.writeImage(crop);
      tensor.padOutside(crop.width, crop.height);
    });
  }

  /** Aligns the face at `kps` to the ArcFace template and embeds it. */
  async embed(image: RgbImage, kps: FiveKeypoints): Promise<Embedding> {
    return this.run((tensor) => alignFaceInto(image, kps, this.inputSize, tensor));
  }

  /** Runs the network on an input that `write` fills (a pooled array, given back when the run is over). */
  private async run(write: (tensor: NchwTensor) => void): Promise<Embedding> {
    const size = this.inputSize;
    const input = this.inputs.acquire(3 * size * size);
    try {
      const tensor = new NchwTensor(size, size, this.normalization, input);
      write(tensor);
      const feeds = { [this.input.name]: toOrtTensor({ shape: [1, 3, size, size], data: tensor.data }) };
      const results = await runSession(this.session, feeds, "face recognizer");
      const name = this.session.outputNames[0];
      const embedding = Float32Array.from(fromOrtTensor(results[name], `face recognizer output ${name}`).data);
      return { embedding, normedEmbedding: l2Normalize(embedding) };
    } finally {
      this.inputs.release(input);
    }
  }
}
