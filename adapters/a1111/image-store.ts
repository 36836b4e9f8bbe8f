import { type FileHandle, mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { assertEncodedImage, imagePaths, tempPathFor, writeFully } from "../../core/internal.js";
import { Base64Decoder, fileWriteError, type StringSink } from "../net/index.js";

/** An image of a generation saved by `generateToFiles`: its file, and its size in bytes. */
export interface A1111SavedImage {
  readonly path: string;
  readonly bytes: number;
}

/**
 * Where a generation answer's images go while it streams in. Only the answer's end (its info's `all_seeds`)
 * says how many of them were generated, the rest being ControlNet's detected maps, so each one is held
 * aside until {@link ImageStore.keep} takes the first `count`.
 */
export interface ImageStore<Image> {
  /** The sink that decodes image `index` of the answer (base64) and checks that it is an image. */
  sink(index: number): StringSink;
  /** Keeps the first `count` images, drops the rest, and returns the kept ones. */
  keep(count: number): Promise<Image[]>;
  /** Drops every image, kept or not (the generation failed or was cancelled). */
  discard(): Promise<void>;
}

/** Where one image's decoded bytes go. */
interface ByteTarget {
  write(bytes: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** How many leading bytes are enough to tell an image's format. */
const SIGNATURE_BYTES = 64;

/** Decodes one base64 image into `target`, refusing it as soon as its first bytes are not an image's. */
function imageSink(what: string, target: ByteTarget): StringSink {
  const decoder = new Base64Decoder(what);
  let start: Buffer | undefined = Buffer.alloc(0);
  let bytes = 0;
  const checkStart = () => {
    assertEncodedImage(start!, what);
    start = undefined;
  };
  const take = async (chunk: Buffer) => {
    if (start) {
      start = Buffer.concat([start, chunk.subarray(0, SIGNATURE_BYTES - start.length)]);
      if (start.length >= SIGNATURE_BYTES) checkStart();
    }
    bytes += chunk.length;
    if (chunk.length) await target.write(chunk);
  };
  return {
    write: (piece) => take(decoder.push(piece)),
    async end() {
      await take(decoder.end());
      if (start) checkStart();
      await target.close();
      return `<${what}: ${bytes} bytes>`;
    },
  };
}

/** Keeps the images in memory: what `generate` returns. */
export function imagesInMemory(describe: (index: number) => string): ImageStore<Uint8Array> {
  let images: Buffer[][] = [];
  return {
    sink(index) {
      const chunks: Buffer[] = [];
      images[index] = chunks;
      return imageSink(describe(index), { write: async (bytes) => void chunks.push(bytes), close: async () => undefined });
    },
    keep: async (count) => images.slice(0, count).map(joinChunks),
    async discard() {
      images = [];
    },
  };
}

/** One image's own bytes (a Buffer of the chunks could be a view into Node's shared pool). */
function joinChunks(chunks: readonly Buffer[]): Uint8Array {
  const image = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    image.set(chunk, offset);
    offset += chunk.length;
  }
  return image;
}

/** One image being written: its hidden temp file beside the output, and how much went in. */
interface TempImage {
  readonly temp: string;
  handle?: FileHandle;
  bytes: number;
}

/**
 * Streams each image into a hidden temp file beside `out`; `keep` renames the first `count` to the names
 * `saveImages` gives (`OUT.png`, or `OUT-1.png`, `OUT-2.png`…), so an image appears whole or not at all,
 * and removes every other temp file. `discard` leaves nothing behind.
 */
export function imagesOnDisk(out: string, describe: (index: number) => string): ImageStore<A1111SavedImage> {
  const images: TempImage[] = [];
  const temps = new Set<TempImage>();
  const kept: string[] = [];
  const removeTemps = async () => {
    for (const image of temps) {
      await image.handle?.close().catch(() => undefined);
      await removeQuietly(image.temp);
    }
    temps.clear();
  };
  return {
    sink(index) {
      const image: TempImage = { temp: tempPathFor(out), bytes: 0 };
      images[index] = image;
      temps.add(image);
      return imageSink(describe(index), fileTarget(image));
    },
    async keep(count) {
      const paths = imagePaths(out, count);
      for (const [i, path] of paths.entries()) {
        await rename(images[i].temp, path).catch((error: unknown) => {
          throw fileWriteError(path, error);
        });
        temps.delete(images[i]);
        kept.push(path);
      }
      await removeTemps();
      return paths.map((path, i) => ({ path, bytes: images[i].bytes }));
    },
    async discard() {
      await removeTemps();
      await Promise.all(kept.map(removeQuietly));
    },
  };
}

/** Removes a file if it is there; cleaning up must not hide the failure it follows (a temp path under a file is ENOTDIR). */
const removeQuietly = (path: string) => rm(path, { force: true }).catch(() => undefined);

/** Writes into the image's temp file, opened (with its folder) at the first bytes. */
function fileTarget(image: TempImage): ByteTarget {
  const opened = async () => {
    try {
      if (!image.handle) {
        await mkdir(dirname(image.temp), { recursive: true });
        image.handle = await open(image.temp, "w");
      }
      return image.handle;
    } catch (error) {
      throw fileWriteError(image.temp, error);
    }
  };
  return {
    async write(bytes) {
      const handle = await opened();
      await writeFully(handle, bytes).catch((error: unknown) => {
        throw fileWriteError(image.temp, error);
      });
      image.bytes += bytes.length;
    },
    async close() {
      const handle = await opened();
      image.handle = undefined;
      await handle.close();
    },
  };
}
