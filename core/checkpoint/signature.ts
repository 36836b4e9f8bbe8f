import type { ByteSource } from "./byte-source.js";

/** What a checkpoint's first bytes say it is. */
export type CheckpointKind = "torch-zip" | "torch-legacy" | "safetensors" | "unknown";

/** A zip archive starts with a local file header (or, when empty, the end record). */
const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY = [0x50, 0x4b, 0x05, 0x06];
/**
 * torch's legacy (pre-1.6) format opens with a pickled magic number: PROTO 2, then LONG1 of 10 bytes
 * holding 0x1950a86a20f9469cfc6c (torch/serialization.py MAGIC_NUMBER).
 */
const TORCH_LEGACY = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
/** How many bytes {@link sniffCheckpoint} looks at. */
export const SIGNATURE_BYTES = TORCH_LEGACY.length;

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return bytes.length >= signature.length && signature.every((byte, i) => bytes[i] === byte);
}

/**
 * Names the format from whole signatures, never one byte: a safetensors header length may start with
 * any byte (0x80 included), so safetensors is "8-byte length, then a JSON object" (`{` at byte 8).
 */
export function checkpointKind(head: Uint8Array): CheckpointKind {
  if (startsWith(head, ZIP_LOCAL) || startsWith(head, ZIP_EMPTY)) return "torch-zip";
  if (startsWith(head, TORCH_LEGACY)) return "torch-legacy";
  if (head.length > 8 && head[8] === 0x7b) return "safetensors";
  return "unknown";
}

/** Reads the first bytes of `source` and names its format. */
export async function sniffCheckpoint(source: ByteSource): Promise<CheckpointKind> {
  const head = new Uint8Array(Math.min(source.size, SIGNATURE_BYTES));
  await source.readInto(head, 0);
  return checkpointKind(head);
}
