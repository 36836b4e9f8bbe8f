import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { Response } from "undici";
import { ErrorCode, InstantIdError } from "../../core/index.js";

/** How many leading bytes {@link BodyToFileOptions.checkStart} sees (enough for any image signature and a quote). */
export const START_BYTES = 64;

/** Options of {@link writeBodyToFile}. */
export interface BodyToFileOptions {
  /** Largest body accepted, in bytes; a larger one (declared or streamed) is refused and leaves no file. */
  readonly limit: number;
  /** Builds the error for a body over `limit` (so the caller names its server and option). */
  readonly tooLarge: (received: number) => Error;
  /** Called once with the body's first {@link START_BYTES} bytes (fewer if it is shorter); throwing refuses the body. */
  readonly checkStart?: (start: Uint8Array) => void;
}

/**
 * Streams a response body into `path` without holding it in memory: bytes go to `<path>.part`, which is
 * renamed to `path` once the body ended whole, and removed when anything fails (the cap, `checkStart`,
 * a dropped connection, an abort, the disk). Returns the number of bytes written.
 */
export async function writeBodyToFile(response: Response, path: string, options: BodyToFileOptions): Promise<number> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > options.limit) {
    await response.body?.cancel().catch(() => undefined);
    throw options.tooLarge(declared);
  }
  const part = `${path}.part`;
  const file = await openPart(part, response);
  const gate = new BodyGate(options);
  try {
    const source = response.body ? Readable.fromWeb(response.body as WebReadableStream<Uint8Array>) : Readable.from([]);
    await pipeline(source, gate, file.stream);
    if (file.error) throw file.error;
    await rename(part, path);
    return gate.received;
  } catch (error) {
    await rm(part, { force: true });
    throw file.error ?? error;
  }
}

/** Creates `<path>.part` (and its folder); a disk failure, now or while writing, becomes one typed error. */
async function openPart(part: string, response: Response) {
  const diskError = (error: unknown) =>
    new InstantIdError(
      ErrorCode.Internal,
      `Could not write ${part}: ${(error as Error).message}. Free disk space or fix the folder's permissions, then try again`,
      { cause: error, details: { path: part, code: (error as { code?: string }).code } },
    );
  try {
    await mkdir(dirname(part), { recursive: true });
  } catch (error) {
    await response.body?.cancel().catch(() => undefined);
    throw diskError(error);
  }
  const state: { stream: ReturnType<typeof createWriteStream>; error?: InstantIdError } = { stream: createWriteStream(part) };
  // Only the file system's own failures (they carry a syscall); a failure passed down the pipeline is not one.
  state.stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.syscall) state.error ??= diskError(error);
  });
  return state;
}

/** Passes chunks through while counting them against the cap, and shows the first bytes to `checkStart`. */
class BodyGate extends Transform {
  received = 0;
  private start: Buffer | undefined = Buffer.alloc(0);

  constructor(private readonly options: BodyToFileOptions) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.received += chunk.length;
    const failure = this.received > this.options.limit ? this.options.tooLarge(this.received) : this.seeStart(chunk);
    if (failure) done(failure);
    else done(null, chunk);
  }

  /** Keeps the first bytes until there are enough to check; the check's error, if any. */
  private seeStart(chunk: Buffer): Error | undefined {
    if (!this.start) return undefined;
    this.start = Buffer.concat([this.start, chunk.subarray(0, START_BYTES - this.start.length)]);
    return this.start.length >= START_BYTES ? this.check() : undefined;
  }

  override _flush(done: TransformCallback): void {
    done(this.start ? this.check() : null);
  }

  private check(): Error | undefined {
    const start = this.start!;
    this.start = undefined;
    try {
      this.options.checkStart?.(start);
      return undefined;
    } catch (error) {
      return error as Error;
    }
  }
}
