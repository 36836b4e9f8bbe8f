import type { Tensor } from "../tensor/tensor.js";

/** The image projections of one decoupled cross-attention layer (PyTorch Linear layout [width, contextDim], no bias). */
export interface IpLayerWeights {
  readonly toK: Tensor;
  readonly toV: Tensor;
}

/**
 * An Image Adapter checkpoint as the SDK uses it: the Resampler's state dict (keys without
 * the `image_proj.` prefix) and, per cross-attention processor key (1, 3, 5, ...), its K/V projections.
 */
export interface ImageAdapterWeights {
  readonly imageProj: ReadonlyMap<string, Tensor>;
  readonly ipLayers: ReadonlyMap<number, IpLayerWeights>;
}
