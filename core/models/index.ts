// Model files: the catalogue, resumable verified downloads, pulls and folder checks.
export { antelopev2Manifest, antelopev2Pack, instantIdPack, modelCatalog, filesToFetch } from "./catalog.js";
export type { ModelFile, ModelPack } from "./catalog.js";
export { defaultHfBase, packBaseUrl, fileUrl } from "./sources.js";
export type { ModelSources } from "./sources.js";
export { downloadFile } from "./download.js";
export type { DownloadOptions, DownloadResult } from "./download.js";
export { inspectFile, isUsable } from "./verify.js";
export type { FileInspection, FileState } from "./verify.js";
export { checkStructure } from "./structure.js";
export type { FileStructure } from "./structure.js";
export { selectPacks } from "./select.js";
export { pullModels } from "./pull.js";
export type { PullModelsOptions, PullModelsResult, PulledFile } from "./pull.js";
export { checkModels } from "./check.js";
export type { CheckModelsOptions, CheckedFile, ModelsCheckReport } from "./check.js";
