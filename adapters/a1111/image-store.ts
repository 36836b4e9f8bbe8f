import { type FileHandle, mkdir, open, rm } from "node:fs/promises";
import { dirname } from "node:path";
import {
  assertEncodedImage,
  imageInfoPath,
  imagePaths,
  type PreparedFile,
  prepareFile,
  renameTogether,
  tempPathFor,
  writeFully,
} from "../../core/internal.js";
import type { InstantIdError } from "../../core/index.js";
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
  /**
   * Keeps the first `count` images, drops the rest, and returns the kept ones; a store of files also writes
   * `info` beside each one (`OUT.json`).
   */
  keep(count: number, info: Record<string, unknown>): Promise<Image[]>;
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

/**
 * Decodes one base64 image of the answer into its target. What is wrong with the image (not base64, not an
 * image) is noted, and decoding stops, rather than failing the answer at once: only the generated images
 * must be good, and which ones those are is known only at the answer's end.
 */
class ImageSink implements StringSink {
  problem: InstantIdError | undefined;
  bytes = 0;
  private readonly decoder: Base64Decoder;
  private start: Buffer | undefined = Buffer.alloc(0);

  constructor(
    private readonly what: string,
    private readonly target: ByteTarget,
  ) {
    this.decoder = new Base64Decoder(what);
  }

  async write(piece: string): Promise<void> {
    await this.take(() => this.decoder.push(piece));
  }

  async end(): Promise<unknown> {
    await this.take(() => this.decoder.end());
    if (this.start && !this.problem) this.checkStart();
    await this.target.close();
    return `<${this.what}: ${this.bytes} bytes>`;
  }

  private async take(decode: () => Buffer): Promise<void> {
    if (this.problem) return;
    let chunk: Buffer;
    try {
      chunk = decode();
    } catch (error) {
      this.problem = error as InstantIdError;
      return;
    }
    if (this.start) {
      this.start = Buffer.concat([this.start, chunk.subarray(0, SIGNATURE_BYTES - this.start.length)]);
      if (this.start.length >= SIGNATURE_BYTES) this.checkStart();
      if (this.problem) return;
    }
    this.bytes += chunk.length;
    if (chunk.length) await this.target.write(chunk);
  }

  private checkStart(): void {
    try {
      assertEncodedImage(this.start!, this.what);
    } catch (error) {
      this.problem = error as InstantIdError;
    }
    this.start = undefined;
  }
}

/** The first `count` sinks' first problem, thrown: a kept image must be a good one. */
function assertGood(sinks: readonly ImageSink[], count: number): void {
  const problem = sinks.slice(0, count).find((sink) => sink.problem)?.problem;
  if (problem) throw problem;
}

/** Keeps the images in memory: what `generate` returns. */
export function imagesInMemory(describe: (index: number) => string): ImageStore<Uint8Array> {
  let images: { sink: ImageSink; chunks: Buffer[] }[] = [];
  return {
    sink(index) {
      const chunks: Buffer[] = [];
      const sink = new ImageSink(describe(index), { write: async (bytes) => void chunks.push(bytes), close: async () => undefined });
      images[index] = { sink, chunks };
      return sink;
    },
    async keep(count) {
      assertGood(
        images.map((image) => image.sink),
        count,
      );
      return images.slice(0, count).map((image) => joinChunks(image.chunks));
    },
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

/** A hidden temp file beside the output, opened at an image's first bytes. */
interface TempFile {
  readonly path: string;
  handle?: FileHandle;
}

/**
 * Streams each image into a hidden temp file beside `out`; `keep` writes the info beside each kept one and
 * renames them to the names `saveImages` gives (`OUT.png` + `OUT.json`, or `OUT-1.png`, `OUT-2.png`…), so a
 * file appears whole or not at all, and removes every other temp file. `discard` leaves nothing behind.
 */
export function imagesOnDisk(out: string, describe: (index: number) => string): ImageStore<A1111SavedImage> {
  const images: { file: TempFile; sink: ImageSink }[] = [];
  const temps = new Set<TempFile>();
  const removeTemps = async () => {
    for (const file of temps) {
      await file.handle?.close().catch(() => undefined);
      await removeQuietly(file.path);
    }
    temps.clear();
  };
  /** The info written into a temp file beside the image's `.json` path, removed with the other temps. */
  const infoFile = async (imagePath: string, text: string) => {
    const path = imageInfoPath(imagePath);
    const file = await prepareFile(path, text).catch((error: unknown) => {
      throw fileWriteError(path, error);
    });
    temps.add({ path: file.temp });
    return file;
  };
  return {
    sink(index) {
      const file: TempFile = { path: tempPathFor(out) };
      const sink = new ImageSink(describe(index), fileTarget(file));
      images[index] = { file, sink };
      temps.add(file);
      return sink;
    },
    async keep(count, info) {
      assertGood(
        images.map((image) => image.sink),
        count,
      );
      const paths = imagePaths(out, count);
      const text = `${JSON.stringify(info, null, 2)}\n`;
      const files: PreparedFile[] = paths.map((path, i) => ({ temp: images[i].file.path, path }));
      for (const path of paths) files.push(await infoFile(path, text));
      // Every file is whole in its temp before the first rename, so a full disk cannot stop the set halfway.
      await renameTogether(files).catch((error: NodeJS.ErrnoException & { dest?: string }) => {
        throw fileWriteError(error.dest ?? out, error);
      });
      await removeTemps();
      return paths.map((path, i) => ({ path, bytes: images[i].sink.bytes }));
    },
    discard: removeTemps,
  };
}

/** Removes a file if it is there; cleaning up must not hide the failure it follows (a temp path under a file is ENOTDIR). */
const removeQuietly = (path: string) => rm(path, { force: true }).catch(() => undefined);

/** Writes into the temp file, opened (with its folder) at the first bytes; every failure is a typed disk error. */
function fileTarget(file: TempFile): ByteTarget {
  const diskError = (error: unknown) => fileWriteError(file.path, error);
  const opened = async () => {
    try {
      if (!file.handle) {
        await mkdir(dirname(file.path), { recursive: true });
        file.handle = await open(file.path, "w");
      }
      return file.handle;
    } catch (error) {
      throw diskError(error);
    }
  };
  return {
    async write(bytes) {
      const handle = await opened();
      await writeFully(handle, bytes).catch((error: unknown) => {
        throw diskError(error);
      });
    },
    async close() {
      const handle = file.handle;
      file.handle = undefined;
      await handle?.close().catch((error: unknown) => {
        throw diskError(error);
      });
    },
  };
}
