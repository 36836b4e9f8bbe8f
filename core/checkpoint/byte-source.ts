import { open, type FileHandle } from "node:fs/promises";
import { ErrorCode, InstantIdError } from "../errors.js";

/** Random access to the bytes of a file or a buffer, so archives are read piecewise instead of whole. */
export interface ByteSource {
  /** Where the bytes come from, for messages. */
  readonly name: string;
  readonly size: number;
  /** Fills `target` with the bytes starting at `position`; throws when the range runs past the end. */
  readInto(target: Uint8Array, position: number): Promise<void>;
  close(): Promise<void>;
}

/** Reads `length` bytes at `position` into a fresh buffer. */
export async function readBytes(source: ByteSource, position: number, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  await source.readInto(bytes, position);
  return bytes;
}

function outOfRange(name: string, position: number, length: number, size: number): InstantIdError {
  return new InstantIdError(
    ErrorCode.FileCorrupt,
    `${name} is truncated or corrupt: bytes ${position}..${position + length} lie outside its ${size} bytes`,
    { details: { source: name } },
  );
}

/** A byte source over an in-memory buffer (a decoded base64 blob, a test fixture). */
export function bufferSource(buffer: Uint8Array, name = "buffer"): ByteSource {
  return {
    name,
    size: buffer.byteLength,
    async readInto(target, position) {
      if (position < 0 || position + target.byteLength > buffer.byteLength)
        throw outOfRange(name, position, target.byteLength, buffer.byteLength);
      target.set(buffer.subarray(position, position + target.byteLength));
    },
    async close() {},
  };
}

/** Largest single read; Node's fs refuses reads above 2 GiB. */
const MAX_READ = 1 << 30;

/** A byte source over a file, read with positioned reads (the file is never loaded whole). */
export async function fileSource(path: string): Promise<ByteSource> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw new InstantIdError(ErrorCode.ModelNotFound, `Cannot open checkpoint ${path}: ${(error as Error).message}. Check the path.`, {
      cause: error,
      details: { path },
    });
  }
  const { size } = await handle.stat();
  return {
    name: path,
    size,
    async readInto(target, position) {
      if (position < 0 || position + target.byteLength > size) throw outOfRange(path, position, target.byteLength, size);
      for (let done = 0; done < target.byteLength; ) {
        const length = Math.min(MAX_READ, target.byteLength - done);
        const { bytesRead } = await handle.read(target, done, length, position + done);
        if (bytesRead === 0) throw outOfRange(path, position + done, length, size);
        done += bytesRead;
      }
    },
    close: () => handle.close(),
  };
}
