import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Response } from "undici";
import { ErrorCode, InstantIdError } from "../../core/index.js";
import { type BodyLimits, cappedBody } from "./capped-body.js";

/**
 * Streams a response body into `path` without holding it in memory: bytes go to `<path>.part`, which is
 * renamed to `path` once the body ended whole, and removed when anything fails (the cap, `checkStart`,
 * a dropped connection, an abort, the disk). Returns the number of bytes written.
 */
export async function writeBodyToFile(response: Response, path: string, limits: BodyLimits): Promise<number> {
  const body = await cappedBody(response, limits);
  const part = `${path}.part`;
  const file = await openPart(part, body);
  try {
    await pipeline(body, file.stream);
    if (file.error) throw file.error;
    await rename(part, path);
    return body.received;
  } catch (error) {
    await rm(part, { force: true });
    throw file.error ?? error;
  }
}

/** Creates `<path>.part` (and its folder); a disk failure, now or while writing, becomes one typed error. */
async function openPart(part: string, body: Readable) {
  const diskError = (error: unknown) => fileWriteError(part, error);
  try {
    await mkdir(dirname(part), { recursive: true });
  } catch (error) {
    body.destroy();
    throw diskError(error);
  }
  const state: { stream: ReturnType<typeof createWriteStream>; error?: InstantIdError } = { stream: createWriteStream(part) };
  // Only the file system's own failures (they carry a syscall); a failure passed down the pipeline is not one.
  state.stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.syscall) state.error ??= diskError(error);
  });
  return state;
}

/** A failure of the file system while writing `path`, as a typed error that says what to do. */
export function fileWriteError(path: string, error: unknown): InstantIdError {
  return new InstantIdError(
    ErrorCode.Internal,
    `Could not write ${path}: ${(error as Error).message}. Free disk space or fix the folder's permissions, then try again`,
    { cause: error, details: { path, code: (error as { code?: string }).code } },
  );
}
