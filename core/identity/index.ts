export { createIdentity, assertEmbeddings, assertCombineMode, identityDimension, COMBINE_MODES } from "./identity.js";
export type { Identity, IdentityReference, IdentitySource, CombineMode, CreateIdentityOptions, ModelRef } from "./identity.js";
export { identityEmbeds } from "./combine.js";
export { mixIdentities } from "./mix.js";
export { encodeIdentity, decodeIdentity, saveIdentity, loadIdentity, IDENTITY_FORMAT, IDENTITY_FORMAT_VERSION } from "./file.js";
export type { LoadIdentityOptions } from "./file.js";
export { modelRef } from "./model-ref.js";
