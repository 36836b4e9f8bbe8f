import { ThreadSession } from "../runtime/session-thread.js";
import type { Device } from "../runtime/device.js";
import { assertShape, type Tensor } from "../tensor/tensor.js";
import { inferResamplerConfig, type ResamplerConfig, type ResamplerConfigOptions } from "./resampler-config.js";
import { RESAMPLER_IO, resamplerGraph } from "./resampler-graph.js";

/** Options of {@link Resampler.fromWeights}. */
export interface ResamplerOptions extends ResamplerConfigOptions {
  /** Execution providers of its session; default the process's (`configureRuntime`). */
  readonly device?: Device;
}

/**
 * InstantID's perceiver Resampler: face embeddings [B, N, 512] → image tokens [B, 16, 2048].
 * Per layer: LayerNorm of inputs and latents, q from the latents, k/v from [inputs; latents],
 * dim_head^-1/4 on q and k, softmax, residual; then LayerNorm → Linear → erf GELU → Linear, residual;
 * finally proj_out and norm_out. It runs as one ONNX graph built from the checkpoint
 * ({@link resamplerGraph}) on ONNX Runtime, on the SDK's session thread: `run` never blocks the event loop.
 */
export class Resampler {
  private session: Promise<ThreadSession> | undefined;

  private constructor(
    readonly config: ResamplerConfig,
    private readonly weights: ReadonlyMap<string, Tensor>,
    private readonly device: Device | undefined,
  ) {}

  /**
   * Builds the Resampler from `image_proj` weights (keys without the prefix), configuration inferred
   * from shapes; a missing weight is refused here. The graph views the weights (do not modify them);
   * its session opens on the first `run` (ONNX Runtime keeps its own copy, prepacked for its Gemm).
   */
  static fromWeights(weights: ReadonlyMap<string, Tensor>, options: ResamplerOptions = {}): Resampler {
    const config = inferResamplerConfig(weights, options);
    resamplerGraph(weights, config); // refuses a missing weight now, not on the first run
    return new Resampler(config, weights, options.device);
  }

  /** Image tokens [B, numQueries, outputDim] for embeddings [B, N, embeddingDim]. */
  async run(embeddings: Tensor): Promise<Tensor> {
    assertShape(embeddings, [-1, -1, this.config.embeddingDim], "Resampler input (face embeddings [batch, count, dim])");
    const session = await this.open();
    const outputs = await session.run({ [RESAMPLER_IO.input]: embeddings });
    return outputs[RESAMPLER_IO.output];
  }

  /** Opens the session now (it otherwise opens on the first run), e.g. to time it apart. */
  open(): Promise<ThreadSession> {
    if (!this.session) {
      const session = ThreadSession.fromGraph(resamplerGraph(this.weights, this.config), { what: "Resampler", device: this.device });
      session.catch(() => this.session === session && (this.session = undefined));
      this.session = session;
    }
    return this.session;
  }

  /** Frees the session's native memory (a later run opens it again). */
  async release(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await (await session)?.release();
  }
}
