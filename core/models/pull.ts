import { rm } from "node:fs/promises";
import { join } from "node:path";
import { InstantIdError, toInstantIdError } from "../errors.js";
import type { ProgressListener } from "../progress.js";
import { filesToFetch, modelCatalog, type ModelFile, type ModelPack } from "./catalog.js";
import { convertPulledControlNet } from "./convert-step.js";
import { downloadFile } from "./download.js";
import { checkStructure } from "./structure.js";
import { writeFaceModelManifest } from "../face/manifest.js";
import { selectPacks } from "./select.js";
import { fileUrl, packBaseUrl, type ModelSources } from "./sources.js";
import { inspectFile, isUsable } from "./verify.js";

/** Options of {@link pullModels}. */
export interface PullModelsOptions {
  /** The models folder; each pack goes to its own sub-folder (`antelopev2/`, `instantid/`). */
  readonly dir: string;
  /** Pack names, or `all` (the default). */
  readonly packs?: readonly string[] | "all";
  /** Also fetch the files of a pack that InstantID does not use. */
  readonly includeOptional?: boolean;
  readonly sources?: ModelSources;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** Milliseconds of silence before a download attempt is dropped and retried (default 60 000). */
  readonly idleTimeoutMs?: number;
  /** The packs to choose from; the built-in catalogue unless a host (or a test) brings its own. */
  readonly catalog?: readonly ModelPack[];
  /** Environment the base-URL and proxy variables are read from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** What a pull did with one file. */
export interface PulledFile {
  readonly pack: string;
  readonly path: string;
  /** `present`: already there and verified; `downloaded`: fetched now (possibly resumed). */
  readonly action: "present" | "downloaded";
  readonly bytes: number;
  readonly url?: string;
  readonly resumedFrom?: number;
}

/** The result of {@link pullModels}: every file, the manifests written, and the ONNX models converted. */
export interface PullModelsResult {
  readonly files: readonly PulledFile[];
  readonly manifests: readonly string[];
  /** ONNX models written from a pack's diffusers folder (IdentityNet); absent when already up to date. */
  readonly converted: readonly string[];
}

/**
 * Downloads the files of the chosen packs into `dir`, skipping those already present and verified,
 * replacing those that fail verification, resuming partial ones; then writes each pack's manifest
 * (`antelopev2/models.json`) and converts IdentityNet to ONNX (`instantid/identitynet.onnx`) unless an
 * up-to-date conversion is there. Downloads are sequential; one failure stops the pull with its error.
 */
export async function pullModels(options: PullModelsOptions): Promise<PullModelsResult> {
  const packs = selectPacks(options.packs ?? "all", options.catalog ?? modelCatalog);
  const files: PulledFile[] = [];
  const manifests: string[] = [];
  const converted: string[] = [];
  const planned = packs.flatMap((pack) => filesToFetch(pack, options.includeOptional ?? false).map((file) => ({ pack, file })));
  for (const pack of packs) {
    const base = packBaseUrl(pack, options.sources, options.env);
    for (const file of filesToFetch(pack, options.includeOptional ?? false)) {
      const position = { index: planned.findIndex((p) => p.pack === pack && p.file === file) + 1, count: planned.length };
      files.push(await pullFile(pack, file, base, options, position));
    }
    if (pack.manifest) manifests.push(await writeFaceModelManifest(join(options.dir, pack.folder), pack.manifest));
    const model = pack.controlNet && (await convertPulledControlNet(join(options.dir, pack.folder), pack.controlNet, options));
    if (model) converted.push(model);
  }
  return { files, manifests, converted };
}

async function pullFile(
  pack: ModelPack,
  file: ModelFile,
  base: string,
  options: PullModelsOptions,
  position: { index: number; count: number },
): Promise<PulledFile> {
  const destination = join(options.dir, pack.folder, ...file.path.split("/"));
  const label = `${pack.folder}/${file.path}`;
  const nth = `file ${position.index} of ${position.count}`;
  const existing = await inspectFile(destination, file, (bytes) =>
    options.onProgress?.({ stage: `verify ${label}`, completed: bytes, total: file.size ?? 0, message: nth }),
  );
  if (isUsable(existing.state)) return { pack: pack.name, path: file.path, action: "present", bytes: existing.size ?? 0 };
  if (existing.state === "wrong-size" || existing.state === "wrong-hash" || existing.state === "wrong-content") {
    await rm(destination, { force: true });
  }
  const url = fileUrl(base, file);
  try {
    const result = await downloadFile({
      url,
      destination,
      size: file.size,
      sha256: file.sha256,
      maxBytes: file.maxSize,
      checkContent: file.structure && ((part) => checkStructure(part, file.structure!, label)),
      gitBlobEtag: file.gitBlobEtag,
      label,
      onProgress: options.onProgress && ((event) => options.onProgress!({ ...event, message: nth })),
      signal: options.signal,
      retries: options.retries,
      retryDelayMs: options.retryDelayMs,
      idleTimeoutMs: options.idleTimeoutMs,
      env: options.env,
    });
    return { pack: pack.name, path: file.path, action: "downloaded", bytes: result.bytes, url, resumedFrom: result.resumedFrom };
  } catch (error) {
    throw withPackContext(toInstantIdError(error), pack, label, base);
  }
}

/** Adds which file and which base URL (and how to change it) to a download error. */
function withPackContext(error: InstantIdError, pack: ModelPack, label: string, base: string): InstantIdError {
  return new InstantIdError(
    error.code,
    `Pulling ${label} failed: ${error.message} (base URL ${base}; change it with --${pack.name}-base, ${pack.baseUrlEnv}, or ` +
      `--base-url / INSTANTID_HF_BASE for a Hugging Face mirror)`,
    { cause: error, details: { ...error.details, pack: pack.name, file: label, baseUrl: base } },
  );
}
