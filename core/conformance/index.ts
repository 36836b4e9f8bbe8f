export { conformanceKinds, runConformance } from "./registry.js";
export type { RunConformanceOptions } from "./registry.js";
export type { ConformanceContext, ConformanceKind, ConformanceSummary } from "./kind.js";
