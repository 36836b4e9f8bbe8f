export { addResiduals, collectContributions } from "./contributions.js";
export type { MergedContribution } from "./contributions.js";
export { detectResidualNames } from "./residual-names.js";
export type { ResidualNames } from "./residual-names.js";
export { zeroResiduals } from "./zero-residuals.js";
