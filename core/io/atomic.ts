import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** A fresh hidden temp name beside `path`: a rename within one folder replaces the file in one step. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/**
 * Makes a file appear whole or not at all: `write` fills a temp file beside `path` (whoever writes it: this
 * process, or ONNX Runtime saving an optimized model), which is then renamed over `path`. When `write` or the
 * rename fails, the temp file is removed and `path` keeps its old content. Returns what `write` returned.
 */
export async function writeAtomically<T>(path: string, write: (temp: string) => Promise<T>): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    const result = await write(temp);
    await rename(temp, path);
    return result;
  } finally {
    // Also after a rename: renaming a hard link onto another name of the same file (a converter's data file
    // linked to the checkpoint, converted again in place) leaves both names.
    await rm(temp, { force: true });
  }
}

/** Writes a file so that readers see either the old content or the whole new one. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeAtomically(path, (temp) => writeFile(temp, data));
}

/**
 * {@link writeFileAtomic} for content written piece by piece (weights streamed tensor by tensor): `fill` writes
 * through the open handle, which is closed before the rename.
 */
export async function writeStreamAtomic<T>(path: string, fill: (file: FileHandle) => Promise<T>): Promise<T> {
  return writeAtomically(path, async (temp) => {
    const file = await open(temp, "w");
    try {
      return await fill(file);
    } finally {
      await file.close();
    }
  });
}

/** Writes all of `chunk` at the handle's position (one `write` may take only part of it). */
export async function writeFully(file: FileHandle, chunk: Uint8Array): Promise<void> {
  for (let done = 0; done < chunk.byteLength; ) done += (await file.write(chunk, done, chunk.byteLength - done)).bytesWritten;
}

/** A file written whole into a temp beside its path, waiting to be renamed onto it. */
export interface PreparedFile {
  readonly temp: string;
  readonly path: string;
}

/** Writes `data` into a fresh temp file beside `path` (creating its folder), to be placed by {@link renameTogether}. */
export async function prepareFile(path: string, data: string | Uint8Array): Promise<PreparedFile> {
  await mkdir(dirname(path), { recursive: true });
  const file = { temp: tempPathFor(path), path };
  try {
    await writeFile(file.temp, data);
  } catch (error) {
    await rm(file.temp, { force: true });
    throw error;
  }
  return file;
}

/**
 * Renames prepared files onto their paths as one set (images with their info files): every byte is already on
 * disk, so only a rename can fail, and then the files already placed and every temp are removed. The set
 * appears whole or not at all; a path that existed is replaced by its rename and is not restored.
 */
export async function renameTogether(files: readonly PreparedFile[]): Promise<void> {
  const placed: string[] = [];
  try {
    for (const file of files) {
      await rename(file.temp, file.path);
      placed.push(file.path);
    }
  } catch (error) {
    await Promise.all([...placed, ...files.map((file) => file.temp)].map((path) => rm(path, { force: true }).catch(() => undefined)));
    throw error;
  }
}

/** Writes several files as one set: each into a temp beside it first, then {@link renameTogether}; on failure none appears. */
export async function writeFilesTogether(files: readonly { readonly path: string; readonly data: string | Uint8Array }[]): Promise<void> {
  const prepared: PreparedFile[] = [];
  try {
    for (const file of files) prepared.push(await prepareFile(file.path, file.data));
  } catch (error) {
    await Promise.all(prepared.map((file) => rm(file.temp, { force: true })));
    throw error;
  }
  await renameTogether(prepared);
}
