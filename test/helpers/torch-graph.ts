// The torch-export-style graph builder now lives in core (the demo and benchmarks build models with it).
export { TorchGraph } from "../../core/graph-builder/torch-graph.js";
export type { AttentionWeights } from "../../core/graph-builder/torch-graph.js";
