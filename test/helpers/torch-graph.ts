// The torch-export-style graph builder now lives in core (the demo and benchmarks build models with it).
export { TorchGraph } from "../../core/synthetic/torch-graph.js";
export type { AttentionWeights } from "../../core/synthetic/torch-graph.js";
