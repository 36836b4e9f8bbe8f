import { constants } from "node:buffer";
import type { Stats } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { ErrorCode, InstantIdError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { DTYPE_BYTES, decodeToFloat32, type DType } from "./dtype.js";
import { sizeOf, type Tensor } from "./tensor.js";

/** Headers larger than this are refused: real files stay far below it, and it bounds what a hostile file can make us parse. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100 * 1024 * 1024;

/** One tensor's entry in a safetensors header. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Byte range relative to the start of the data section. */
  readonly begin: number;
  readonly end: number;
}

/** A parsed safetensors header: entries, free-form string metadata, and where the data section starts. */
export interface SafetensorsHeader {
  readonly entries: ReadonlyMap<string, SafetensorsEntry>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly dataOffset: number;
}

/** Parses and validates the header; `fileSize` bounds every offset. */
export function parseSafetensorsHeader(prefix: Uint8Array, fileSize: number, source: string): SafetensorsHeader {
  const fail = (why: string) =>
    new InstantIdError(ErrorCode.FileCorrupt, `${source} is not a valid safetensors file: ${why}`, {
      details: { source },
    });
  if (prefix.byteLength < 8 || fileSize < 8) throw fail("it is shorter than the 8-byte header length");
  const headerLength = Number(new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > MAX_SAFETENSORS_HEADER_BYTES) throw fail(`its header claims ${headerLength} bytes`);
  if (8 + headerLength > fileSize) throw fail(`its header (${headerLength} bytes) runs past the end of the file`);
  if (prefix.byteLength < 8 + headerLength) throw fail("the header was cut short");
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(prefix.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw fail(`its header is not JSON (${(error as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw fail("its header is not a JSON object");
  const dataOffset = 8 + headerLength;
  const dataSize = fileSize - dataOffset;
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = parseMetadata(raw, fail);
      continue;
    }
    entries.set(name, parseEntry(name, raw, dataSize, fail));
  }
  assertTiled([...entries.values()], dataSize, fail);
  return { entries, metadata, dataOffset };
}

/**
 * The tensors must tile the data section: no two share a byte, no gap, nothing after the last, as
 * the safetensors library validates (overlapping ranges would make one tensor's bytes another's).
 */
function assertTiled(entries: SafetensorsEntry[], dataSize: number, fail: (why: string) => Error): void {
  const sorted = entries.filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin);
  let expected = 0;
  for (const entry of sorted) {
    if (entry.begin < expected) throw fail(`tensor ${entry.name} (bytes ${entry.begin}..${entry.end}) overlaps the tensor before it`);
    if (entry.begin > expected) throw fail(`bytes ${expected}..${entry.begin} of the data section belong to no tensor`);
    expected = entry.end;
  }
  if (expected !== dataSize) throw fail(`the tensors end at byte ${expected} of a ${dataSize}-byte data section`);
}

function parseMetadata(raw: unknown, fail: (why: string) => Error): Record<string, string> {
  if (typeof raw !== "object" || raw === null) throw fail("__metadata__ is not an object");
  for (const value of Object.values(raw)) if (typeof value !== "string") throw fail("__metadata__ values must be strings");
  return raw as Record<string, string>;
}

function parseEntry(name: string, raw: unknown, dataSize: number, fail: (why: string) => Error): SafetensorsEntry {
  const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof entry !== "object" || entry === null) throw fail(`entry ${name} is not an object`);
  const dtype = entry.dtype as DType;
  if (typeof dtype !== "string" || !(dtype in DTYPE_BYTES)) throw fail(`tensor ${name} has unsupported dtype ${String(entry.dtype)}`);
  const shape = entry.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw fail(`tensor ${name} has an invalid shape`);
  const offsets = entry.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw fail(`tensor ${name} has invalid data_offsets`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin || end > dataSize) throw fail(`tensor ${name} spans bytes ${begin}..${end} outside the ${dataSize}-byte data section`);
  if (end - begin !== sizeOf(shape) * DTYPE_BYTES[dtype])
    throw fail(`tensor ${name} has ${end - begin} bytes but its shape needs ${sizeOf(shape) * DTYPE_BYTES[dtype]}`);
  return { name, dtype, shape, begin, end };
}

/** Random access to the tensors of a safetensors file, read one at a time from disk. */
export class SafetensorsFile {
  private constructor(
    readonly path: string,
    readonly header: SafetensorsHeader,
    private readonly handle: FileHandle,
  ) {}

  /** Opens `path` and parses its header; tensors are read lazily. Call {@link close} when done. */
  static async open(path: string): Promise<SafetensorsFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (error) {
      throw new InstantIdError(ErrorCode.ModelNotFound, `Cannot open safetensors file ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      const { size } = await handle.stat();
      const lengthBytes = Buffer.alloc(8);
      await handle.read(lengthBytes, 0, 8, 0);
      const headerLength = size >= 8 ? Number(lengthBytes.readBigUInt64LE(0)) : 0;
      const prefixLength = Math.min(size, 8 + Math.min(headerLength, MAX_SAFETENSORS_HEADER_BYTES));
      const prefix = Buffer.alloc(prefixLength);
      await handle.read(prefix, 0, prefixLength, 0);
      return new SafetensorsFile(path, parseSafetensorsHeader(prefix, size, path), handle);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Names of all tensors, in header order. */
  names(): string[] {
    return [...this.header.entries.keys()];
  }

  /** Raw little-endian bytes of one tensor. */
  async bytes(name: string): Promise<{ entry: SafetensorsEntry; bytes: Uint8Array }> {
    const entry = this.header.entries.get(name);
    if (!entry) {
      throw new InstantIdError(ErrorCode.InvalidInput, `${this.path} has no tensor named ${name}; it has: ${this.names().join(", ")}`);
    }
    if ((entry.end - entry.begin) * (4 / DTYPE_BYTES[entry.dtype]) > constants.MAX_LENGTH) {
      throw new InstantIdError(
        ErrorCode.FileCorrupt,
        `${this.path}: tensor ${name} (${entry.end - entry.begin} bytes) is larger than one array can hold as float32 ` +
          `(${constants.MAX_LENGTH} bytes)`,
      );
    }
    const bytes = Buffer.alloc(entry.end - entry.begin);
    await this.handle.read(bytes, 0, bytes.byteLength, this.header.dataOffset + entry.begin);
    return { entry, bytes };
  }

  /**
   * Raw bytes of one tensor read into `target` (at least the tensor's size), returned as the filled view:
   * streaming many tensors through one buffer avoids allocating (and page-faulting) fresh memory for each.
   */
  async readInto(name: string, target: Uint8Array): Promise<{ entry: SafetensorsEntry; bytes: Uint8Array }> {
    const entry = this.header.entries.get(name);
    if (!entry) {
      throw new InstantIdError(ErrorCode.InvalidInput, `${this.path} has no tensor named ${name}; it has: ${this.names().join(", ")}`);
    }
    const length = entry.end - entry.begin;
    if (target.byteLength < length)
      throw new InstantIdError(ErrorCode.Internal, `readInto: a ${target.byteLength}-byte buffer cannot hold ${name} (${length} bytes)`);
    return { entry, bytes: await this.readAt(this.header.dataOffset + entry.begin, target.subarray(0, length), `tensor ${name}`) };
  }

  /**
   * Fills `target` with the file's bytes from `position` on (a range of the data section, which may span many
   * tensors) and returns it; `what` names the range in the error when the file ends first.
   */
  async readAt(position: number, target: Uint8Array, what?: string): Promise<Uint8Array> {
    let done = 0;
    while (done < target.byteLength) {
      const { bytesRead } = await this.handle.read(target, done, target.byteLength - done, position + done);
      if (bytesRead === 0)
        throw new InstantIdError(
          ErrorCode.FileCorrupt,
          `${this.path} ends inside ${what ?? `bytes ${position}..${position + target.byteLength}`}; the file is truncated. ` +
            `Download it again.`,
        );
      done += bytesRead;
    }
    return target;
  }

  /** One tensor widened to float32. */
  async tensor(name: string): Promise<Tensor> {
    const { entry, bytes } = await this.bytes(name);
    return { shape: entry.shape, data: decodeToFloat32(bytes, entry.dtype) };
  }

  /** The open file's status: which file it is (device, inode) and its size, even if its path was replaced since. */
  stat(): Promise<Stats> {
    return this.handle.stat();
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Reads every tensor of an in-memory safetensors buffer as float32. */
export function readSafetensors(buffer: Uint8Array, source = "buffer"): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const header = parseSafetensorsHeader(buffer, buffer.byteLength, source);
  const tensors = new Map<string, Tensor>();
  for (const entry of header.entries.values()) {
    const bytes = buffer.subarray(header.dataOffset + entry.begin, header.dataOffset + entry.end);
    tensors.set(entry.name, { shape: entry.shape, data: decodeToFloat32(bytes, entry.dtype) });
  }
  return { tensors, metadata: { ...header.metadata } };
}

/** Serialises float32 tensors (and string metadata) to the safetensors format; names are written in sorted order. */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, Tensor> | Record<string, Tensor>,
  metadata?: Record<string, string>,
): Buffer {
  const map = tensors instanceof Map ? tensors : new Map(Object.entries(tensors));
  const names = [...map.keys()].sort();
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = map.get(name)!;
    if (t.data.length !== sizeOf(t.shape)) {
      throw new InstantIdError(ErrorCode.ShapeMismatch, `Tensor ${name} has ${t.data.length} values but shape [${t.shape.join(", ")}]`);
    }
    header[name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, "utf8");
  const out = Buffer.alloc(8 + headerBytes.byteLength + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.byteLength), 0);
  headerBytes.copy(out, 8);
  let position = 8 + headerBytes.byteLength;
  for (const name of names) {
    const { data } = map.get(name)!;
    Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, position);
    position += data.byteLength;
  }
  return out;
}

/** Writes tensors to `path` atomically (a temp file renamed into place). */
export async function writeSafetensors(
  path: string,
  tensors: ReadonlyMap<string, Tensor> | Record<string, Tensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
