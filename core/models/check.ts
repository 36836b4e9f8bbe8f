import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import type { ProgressListener } from "../progress.js";
import { modelCatalog, type ModelFile, type ModelPack } from "./catalog.js";
import { loadFaceModelManifest, manifestFileName } from "../face/manifest.js";
import { selectPacks } from "./select.js";
import { inspectFile, isUsable, type FileState } from "./verify.js";

/** Options of {@link checkModels}. */
export interface CheckModelsOptions {
  /** Pack names, or `all` (the default). */
  readonly packs?: readonly string[] | "all";
  readonly onProgress?: ProgressListener;
  readonly catalog?: readonly ModelPack[];
}

/** The verdict on one file of a models folder. */
export interface CheckedFile {
  readonly pack: string;
  /** Path relative to the models folder, e.g. `antelopev2/glintr100.onnx`. */
  readonly path: string;
  readonly state: FileState;
  readonly required: boolean;
  /** One line saying what is wrong (or right) with the file. */
  readonly message: string;
}

/** The verdict on a models folder. */
export interface ModelsCheckReport {
  readonly dir: string;
  readonly files: readonly CheckedFile[];
  /** True when every required file is usable and every manifest is present. */
  readonly complete: boolean;
  /** Names of the packs that need a pull. */
  readonly incompletePacks: readonly string[];
  /** The command that fixes the folder, when it is incomplete. */
  readonly fix?: string;
}

/**
 * Verifies a models folder against the catalogue: sizes, then SHA-256 digests as streams. Required
 * files must be usable; optional files are checked only when present (a corrupt one is reported but
 * does not make the folder incomplete). Never writes anything.
 */
export async function checkModels(dir: string, options: CheckModelsOptions = {}): Promise<ModelsCheckReport> {
  const packs = selectPacks(options.packs ?? "all", options.catalog ?? modelCatalog);
  const files: CheckedFile[] = [];
  for (const pack of packs) files.push(...(await checkPack(dir, pack, options.onProgress)));
  const incompletePacks = packs
    .filter((pack) => files.some((file) => file.pack === pack.name && file.required && !isUsable(file.state)))
    .map((pack) => pack.name);
  const complete = incompletePacks.length === 0;
  const all = incompletePacks.length === packs.length && packs.length > 1;
  const fix = complete ? undefined : `instantid models pull ${all ? "all" : incompletePacks.join(" ")} --dir ${quote(dir)}`;
  return { dir, files, complete, incompletePacks, ...(fix ? { fix } : {}) };
}

async function checkPack(dir: string, pack: ModelPack, onProgress?: ProgressListener): Promise<CheckedFile[]> {
  const checked: CheckedFile[] = [];
  for (const file of pack.files) {
    const relative = `${pack.folder}/${file.path}`;
    const found = await inspectFile(join(dir, pack.folder, ...file.path.split("/")), file, (bytes) =>
      onProgress?.({ stage: `verify ${relative}`, completed: bytes, total: file.size ?? 0 }),
    );
    if (!file.required && (found.state === "missing" || found.state === "partial")) continue;
    checked.push({
      pack: pack.name,
      path: relative,
      state: found.state,
      required: file.required,
      message: describe(found.state, found.size, file),
    });
  }
  if (pack.manifest) checked.push(await checkManifest(join(dir, pack.folder), pack.name));
  return checked;
}

/** The pack's `models.json`, read with the reader face analysis uses: present and loadable, or not. */
async function checkManifest(folder: string, pack: string): Promise<CheckedFile> {
  const path = `${basename(folder)}/${manifestFileName}`;
  if (!existsSync(join(folder, manifestFileName))) {
    const message = "missing: the manifest face analysis reads; a pull writes it without downloading anything else";
    return { pack, path, state: "missing", required: true, message };
  }
  const problem = await loadFaceModelManifest(folder).then(
    () => undefined,
    (error: Error) => error.message,
  );
  return problem === undefined
    ? { pack, path, state: "checked", required: true, message: "ok (manifest written by pull; face analysis can read it)" }
    : { pack, path, state: "wrong-content", required: true, message: `corrupt: ${problem}; a pull writes it again` };
}

function describe(state: FileState, size: number | undefined, file: ModelFile): string {
  const expected = file.size;
  switch (state) {
    case "ok":
      return "ok (SHA-256 verified)";
    case "checked":
      return `present, ${size} bytes; no published digest, content checked (parsed as the file it must be)`;
    case "unverified":
      return `present, ${size} bytes; size/hash not verified (no published ${expected === undefined ? "size or digest" : "digest"})`;
    case "missing":
      return "missing";
    case "partial":
      return `incomplete download: ${size}${expected === undefined ? "" : ` of ${expected}`} bytes in the .part file; a pull resumes it`;
    case "wrong-size":
      return expected === undefined
        ? `corrupt: ${size} bytes, more than the ${file.maxSize} such a file can hold; a pull replaces it`
        : `corrupt: ${size} bytes instead of ${expected}; a pull replaces it`;
    case "wrong-hash":
      return "corrupt: SHA-256 differs from the published one; a pull replaces it";
    case "wrong-content":
      return "corrupt: its content is not what the file must hold; a pull replaces it";
  }
}

function quote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}
