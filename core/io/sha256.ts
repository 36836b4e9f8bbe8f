import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";

/** The SDK's one content hash: SHA-256, lower-case hex. */
const ALGORITHM = "sha256";

/** A SHA-256 to feed piece by piece (cache keys over several inputs, downloads hashed while they stream). */
export function sha256Hasher(): Hash {
  return createHash(ALGORITHM);
}

/** The lower-case hex SHA-256 of bytes or of a string's UTF-8 bytes. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash(ALGORITHM).update(data).digest("hex");
}

/**
 * Feeds the bytes of a file into `hash` as a stream (models are gigabytes; never read whole),
 * reporting the byte count after every chunk. Returns the number of bytes read.
 */
export async function hashFileInto(path: string, hash: Hash, onBytes?: (bytes: number) => void): Promise<number> {
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    onBytes?.(bytes);
  }
  return bytes;
}

/** The lower-case hex SHA-256 of a file, computed as a stream. */
export async function sha256File(path: string, onBytes?: (bytes: number) => void): Promise<string> {
  const hash = sha256Hasher();
  await hashFileInto(path, hash, onBytes);
  return hash.digest("hex");
}
