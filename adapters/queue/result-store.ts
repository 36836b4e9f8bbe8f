import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { ErrorCode, InstantIdError, saveImages } from "../../core/index.js";
import { QUEUE_DEFAULTS } from "./defaults.js";

/** What one generation produced: PNG bytes and the report the CLI writes beside them (seed, settings, server info). */
export interface GenerationOutput {
  readonly images: readonly Uint8Array[];
  readonly report: unknown;
}

/** Where a stored result lies: small, so it is what the job returns into Redis. */
export interface StoredResult {
  /** The store's own address of the result (a folder path for the folder store). */
  readonly location: string;
  /** The image files, in order, relative to `location`. */
  readonly images: readonly string[];
  /** The report file, relative to `location`. */
  readonly report: string;
}

/**
 * Where workers put results and producers read them: images are megabytes and stay out of Redis.
 * Every producer and worker must reach the same store (a shared folder, a bucket...).
 */
export interface ResultStore {
  /** Stores a job's result; a later attempt of the same job overwrites it, so each job leaves one result. */
  put(jobId: string, output: GenerationOutput): Promise<StoredResult>;
  get(stored: StoredResult): Promise<GenerationOutput>;
}

/**
 * The default store: a folder (shared by all machines, e.g. over NFS) with one sub-folder per job
 * holding what `instantid generate -o image.png` writes: `image.png` (or `image-1.png`, `image-2.png`…)
 * and its `.json` report, each written atomically.
 */
export function folderResultStore(folder: string = QUEUE_DEFAULTS.resultsDir): ResultStore {
  const root = resolve(folder);
  return {
    async put(jobId, output) {
      const location = join(root, encodeURIComponent(jobId));
      const paths = await saveImages(join(location, "image.png"), output.images, output.report);
      return { location, images: paths.map((p) => basename(p)), report: basename(paths[0]).replace(/\.png$/, ".json") };
    },
    async get(stored) {
      try {
        const images = await Promise.all(stored.images.map((name) => readFile(join(stored.location, name))));
        const report = JSON.parse(await readFile(join(stored.location, stored.report), "utf8")) as unknown;
        return { images: images.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)), report };
      } catch (error) {
        throw new InstantIdError(
          ErrorCode.InvalidInput,
          `Cannot read the result in ${stored.location}: ${(error as Error).message}. Producers and workers must share the ` +
            `result folder (give both the same --results / folderResultStore path).`,
          { cause: error },
        );
      }
    },
  };
}
