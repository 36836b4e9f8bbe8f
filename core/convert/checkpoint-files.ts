import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ErrorCode, InstantIdError } from "../errors.js";
import { SafetensorsFile, type SafetensorsEntry } from "../tensor/safetensors.js";

/** Weight files diffusers saves, in the order it prefers them (sharded first, then the fp16 variant). */
export const CONTROLNET_WEIGHT_FILES = [
  "diffusion_pytorch_model.safetensors.index.json",
  "diffusion_pytorch_model.safetensors",
  "diffusion_pytorch_model.fp16.safetensors.index.json",
  "diffusion_pytorch_model.fp16.safetensors",
] as const;

const shardIndexSchema = z.object({ weight_map: z.record(z.string(), z.string().regex(/^[^/\\]+$/, "a file name in the same folder")) });

/** The tensors of a checkpoint spread over one or more safetensors files, read one tensor at a time. */
export class CheckpointTensors {
  private constructor(
    /** Every tensor's entry and the file that holds it. */
    readonly entries: ReadonlyMap<string, { readonly entry: SafetensorsEntry; readonly file: SafetensorsFile }>,
    private readonly files: readonly SafetensorsFile[],
    /** What the weights were found as, for messages. */
    readonly source: string,
  ) {}

  /** Opens the weights in `dir`: a shard index and its shards, or one safetensors file. */
  static async open(dir: string): Promise<CheckpointTensors> {
    const present = new Set(await readdir(dir).catch(() => [] as string[]));
    const name = CONTROLNET_WEIGHT_FILES.find((file) => present.has(file));
    if (!name) {
      const pickle = present.has("diffusion_pytorch_model.bin")
        ? " It has diffusion_pytorch_model.bin: pickled weights are not read; save them as safetensors."
        : "";
      throw new InstantIdError(
        ErrorCode.ModelNotFound,
        `No ControlNet weights in ${dir}: looked for ${CONTROLNET_WEIGHT_FILES.join(", ")}.${pickle} Point at the folder holding ` +
          `config.json and the weights (InstantX's ControlNetModel/).`,
        { details: { dir } },
      );
    }
    const path = join(dir, name);
    const shards = name.endsWith(".index.json") ? await shardNames(path) : [name];
    const files: SafetensorsFile[] = [];
    try {
      for (const shard of shards) files.push(await SafetensorsFile.open(join(dir, shard)));
      return new CheckpointTensors(indexEntries(files, path), files, path);
    } catch (error) {
      await Promise.all(files.map((f) => f.close()));
      throw error;
    }
  }

  /** The raw little-endian bytes of one tensor, read into `target` (returned as the filled view). */
  async readInto(key: string, target: Uint8Array): Promise<Uint8Array> {
    return (await this.entries.get(key)!.file.readInto(key, target)).bytes;
  }

  /** The one safetensors file holding every tensor, or undefined for a sharded checkpoint. */
  get singleFile(): SafetensorsFile | undefined {
    return this.files.length === 1 ? this.files[0] : undefined;
  }

  /** `tensors` in the order the checkpoint holds them: file by file (in shard order), front to back. */
  inFileOrder<T extends { readonly key: string }>(tensors: readonly T[]): T[] {
    const rank = (key: string) => {
      const { entry, file } = this.entries.get(key)!;
      return [this.files.indexOf(file), entry.begin] as const;
    };
    return [...tensors].sort((a, b) => {
      const [fileA, beginA] = rank(a.key);
      const [fileB, beginB] = rank(b.key);
      return fileA - fileB || beginA - beginB;
    });
  }

  /** Where one tensor's bytes start in its file (after the header). */
  fileOffset(key: string): number {
    const { entry, file } = this.entries.get(key)!;
    return file.header.dataOffset + entry.begin;
  }

  /** The size in bytes of the largest tensor, for one buffer that fits them all. */
  largestTensor(): number {
    let largest = 0;
    for (const { entry } of this.entries.values()) largest = Math.max(largest, entry.end - entry.begin);
    return largest;
  }

  /** Closes every file. */
  async close(): Promise<void> {
    await Promise.all(this.files.map((f) => f.close()));
  }
}

async function shardNames(indexPath: string): Promise<string[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(indexPath, "utf8"));
  } catch (error) {
    throw new InstantIdError(
      ErrorCode.FileCorrupt,
      `Cannot read the shard index ${indexPath}: ${(error as Error).message}. Download it again.`,
      { cause: error },
    );
  }
  const parsed = shardIndexSchema.safeParse(json);
  if (!parsed.success) {
    throw new InstantIdError(
      ErrorCode.FileCorrupt,
      `${indexPath} is not a safetensors shard index: ${parsed.error.issues[0].path.join(".")}: ${parsed.error.issues[0].message}`,
      { details: { path: indexPath } },
    );
  }
  return [...new Set(Object.values(parsed.data.weight_map))].sort();
}

function indexEntries(files: readonly SafetensorsFile[], source: string) {
  const entries = new Map<string, { entry: SafetensorsEntry; file: SafetensorsFile }>();
  for (const file of files) {
    for (const entry of file.header.entries.values()) {
      const other = entries.get(entry.name);
      if (other) {
        throw new InstantIdError(
          ErrorCode.FileCorrupt,
          `Tensor ${entry.name} is in both ${other.file.path} and ${file.path} (${source}); the checkpoint is inconsistent.`,
          { details: { key: entry.name } },
        );
      }
      entries.set(entry.name, { entry, file });
    }
  }
  return entries;
}
