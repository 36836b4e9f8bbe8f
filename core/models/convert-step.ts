import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { convertControlNet } from "../convert/convert.js";
import type { ProgressListener } from "../progress.js";

/**
 * Converts a pulled diffusers ControlNet folder (`from`) to ONNX (`to`, fp16 weights) and returns the model's
 * path, or undefined when the model and its data file are already newer than every file of the folder.
 */
export async function convertPulledControlNet(
  packDir: string,
  controlNet: { readonly from: string; readonly to: string },
  options: { readonly onProgress?: ProgressListener; readonly signal?: AbortSignal },
): Promise<string | undefined> {
  const dir = join(packDir, controlNet.from);
  const output = join(packDir, controlNet.to);
  if (await upToDate(output, dir)) return undefined;
  const result = await convertControlNet({ dir, output, onProgress: options.onProgress, signal: options.signal });
  return result.model;
}

async function upToDate(output: string, dir: string): Promise<boolean> {
  const mtime = async (path: string) => (await stat(path).catch(() => undefined))?.mtimeMs;
  // The model is written after its data file, and a data file linked to the checkpoint keeps the checkpoint's own time.
  const written = (await mtime(`${output}.data`)) === undefined ? undefined : await mtime(output);
  if (written === undefined) return false;
  const sources = await Promise.all((await readdir(dir)).map((name) => mtime(join(dir, name))));
  return sources.every((t) => t !== undefined && t <= written);
}
