import { stat } from "node:fs/promises";
import type { ModelFile } from "./catalog.js";
import { partialFileName } from "./download-errors.js";
import { sha256File } from "../io/sha256.js";
import { hasStructure } from "./structure.js";

/**
 * The state of one file on disk, compared with the catalogue:
 * `ok` (the digest matches), `checked` (no published digest, but the content has the structure the catalogue
 * names), `unverified` (present, size as published if known, nothing to check it against), `missing`,
 * `partial` (only a `.part` download), `wrong-size`, `wrong-hash`, `wrong-content` (fails its structure check).
 */
export type FileState = "ok" | "checked" | "unverified" | "missing" | "partial" | "wrong-size" | "wrong-hash" | "wrong-content";

/** What {@link inspectFile} found. */
export interface FileInspection {
  readonly state: FileState;
  /** Bytes on disk (of the `.part` file for `partial`). */
  readonly size?: number;
  /** SHA-256 on disk, when it was computed. */
  readonly sha256?: string;
}

/** Whether a state means the file can be used as is. */
export function isUsable(state: FileState): boolean {
  return state === "ok" || state === "checked" || state === "unverified";
}

/**
 * Compares a file with its catalogue entry: size first (cheap), then the SHA-256 as a stream, or, for a file
 * without a published digest, its structure. A missing file with a `.part` beside it is `partial`.
 */
export async function inspectFile(path: string, file: ModelFile, onBytes?: (bytes: number) => void): Promise<FileInspection> {
  const size = await fileSize(path);
  if (size === undefined) {
    const partial = await fileSize(partialFileName(path));
    return partial === undefined ? { state: "missing" } : { state: "partial", size: partial };
  }
  if (file.size !== undefined && size !== file.size) return { state: "wrong-size", size };
  if (file.sha256 === undefined && file.structure !== undefined) {
    if (file.maxSize !== undefined && size > file.maxSize) return { state: "wrong-size", size };
    return { state: (await hasStructure(path, file.structure)) ? "checked" : "wrong-content", size };
  }
  if (file.sha256 === undefined) return { state: "unverified", size };
  const sha256 = await sha256File(path, onBytes);
  if (sha256 !== file.sha256) return { state: "wrong-hash", size, sha256 };
  return { state: "ok", size, sha256 };
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}
