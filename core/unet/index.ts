// A UNet graph at run time: its inputs, its residual inputs and one denoising call.
export { controlNetOutputConventions, unetInputConventions, resolveResidualNames } from "./residual-names.js";
export type { ResidualConvention, ResidualNames, ResidualNaming } from "./residual-names.js";
export { unetResidualInputs, checkResidualShapes, zeroResidualsFor } from "./residual-inputs.js";
export type { UnetResidualInputs } from "./residual-inputs.js";
export { unetStepFeeds, defaultUnetInputs } from "./unet-feeds.js";
export type { UnetInputNames } from "./unet-feeds.js";
export { loadUnet, unetFromSession, runUnet } from "./unet-model.js";
export type { UnetModel, LoadUnetOptions } from "./unet-model.js";
