import { constants } from "node:buffer";
import { inflateRawSync } from "node:zlib";
import { ErrorCode, InstantIdError } from "../errors.js";
import { readBytes, type ByteSource } from "./byte-source.js";

/** One file of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  readonly name: string;
  /** 0 = stored, 8 = deflate. */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

function corrupt(source: ByteSource, why: string): InstantIdError {
  return new InstantIdError(
    ErrorCode.FileCorrupt,
    `${source.name} is not a readable zip archive: ${why}. Re-download or re-save the file.`,
    {
      details: { source: source.name },
    },
  );
}

/** Inflated entries kept for repeated range reads (the storages being read at once). */
const INFLATED_CACHE_ENTRIES = 4;

/**
 * The entries of a zip archive, read from its central directory (ZIP64 included). Entry data is read
 * on request from its local header's offset, so a multi-gigabyte archive is never loaded whole.
 * Inflating never produces more than an entry's declared size, so a zip bomb costs at most what its
 * directory admits to, and the caller bounds that per entry.
 */
export class ZipReader {
  private readonly inflated = new Map<string, Promise<Uint8Array>>();

  private constructor(
    readonly source: ByteSource,
    readonly entries: ReadonlyMap<string, ZipEntry>,
  ) {}

  /** Parses the central directory of `source`. */
  static async open(source: ByteSource): Promise<ZipReader> {
    const { offset, count, size } = await findCentralDirectory(source);
    if (offset + size > source.size) throw corrupt(source, "its central directory runs past the end of the file");
    const directory = await readBytes(source, offset, size);
    return new ZipReader(source, parseCentralDirectory(source, directory, count));
  }

  /** Absolute file offset of an entry's data (after its local header). */
  async dataOffset(entry: ZipEntry): Promise<number> {
    const header = await readBytes(this.source, entry.localHeaderOffset, 30);
    const view = new DataView(header.buffer);
    if (view.getUint32(0, true) !== LOCAL) throw corrupt(this.source, `entry ${entry.name} has no local header`);
    const start = entry.localHeaderOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
    if (start + entry.compressedSize > this.source.size) throw corrupt(this.source, `entry ${entry.name} runs past the end of the file`);
    return start;
  }

  /**
   * The whole (decompressed) content of an entry, refused when it declares more than `limit` bytes
   * (metadata records are tiny; only storages may be large).
   */
  async read(entry: ZipEntry, limit: number = constants.MAX_LENGTH): Promise<Uint8Array> {
    if (entry.size > limit)
      throw corrupt(this.source, `entry ${entry.name} declares ${entry.size} bytes, more than the ${limit} such a record may hold`);
    const raw = await readBytes(this.source, await this.dataOffset(entry), entry.compressedSize);
    if (entry.method === 0) return raw;
    return this.inflate(entry, raw);
  }

  /** Inflates at most the declared size: more output is a zip bomb or a damaged entry, refused either way. */
  private inflate(entry: ZipEntry, raw: Uint8Array): Uint8Array {
    let inflated: Buffer;
    try {
      inflated = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
    } catch (error) {
      const tooLarge = (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE";
      const why = tooLarge
        ? `inflates to more than its declared ${entry.size} bytes`
        : `has a corrupt deflate stream (${(error as Error).message})`;
      throw new InstantIdError(
        ErrorCode.FileCorrupt,
        `${this.source.name} is not a readable zip archive: entry ${entry.name} ${why}. Re-download or re-save the file.`,
        {
          cause: error,
          details: { source: this.source.name, entry: entry.name },
        },
      );
    }
    if (inflated.byteLength !== entry.size)
      throw corrupt(this.source, `entry ${entry.name} inflates to ${inflated.byteLength} bytes, not ${entry.size}`);
    return inflated;
  }

  /**
   * Fills `target` with the bytes of `entry` starting at `start`. Stored entries (how torch.save writes
   * storages) are read in place; compressed ones are inflated first.
   */
  async readRange(entry: ZipEntry, start: number, target: Uint8Array): Promise<void> {
    if (start < 0 || start + target.byteLength > entry.size) {
      throw corrupt(this.source, `bytes ${start}..${start + target.byteLength} lie outside entry ${entry.name} (${entry.size} bytes)`);
    }
    if (entry.method === 0) {
      await this.source.readInto(target, (await this.dataOffset(entry)) + start);
      return;
    }
    target.set((await this.inflatedOnce(entry)).subarray(start, start + target.byteLength));
  }

  /** A compressed entry inflated once and kept while it is among the last few read, not once per range. */
  private inflatedOnce(entry: ZipEntry): Promise<Uint8Array> {
    let pending = this.inflated.get(entry.name);
    if (!pending) {
      pending = this.read(entry);
      pending.catch(() => this.inflated.delete(entry.name));
      this.inflated.set(entry.name, pending);
      for (const name of this.inflated.keys()) {
        if (this.inflated.size <= INFLATED_CACHE_ENTRIES) break;
        this.inflated.delete(name);
      }
    }
    return pending;
  }

  /** Drops the inflated entries kept for range reads. */
  release(): void {
    this.inflated.clear();
  }
}

async function findCentralDirectory(source: ByteSource): Promise<{ offset: number; count: number; size: number }> {
  const tailLength = Math.min(source.size, 22 + MAX_COMMENT + 20);
  const tailStart = source.size - tailLength;
  const tail = await readBytes(source, tailStart, tailLength);
  const view = new DataView(tail.buffer);
  let at = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    if (view.getUint32(i, true) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw corrupt(source, "no end-of-central-directory record was found");
  let count = view.getUint16(at + 10, true);
  let size = view.getUint32(at + 12, true);
  let offset = view.getUint32(at + 16, true);
  if (at >= 20 && view.getUint32(at - 20, true) === ZIP64_LOCATOR) {
    const recordOffset = Number(view.getBigUint64(at - 20 + 8, true));
    const record = new DataView((await readBytes(source, recordOffset, 56)).buffer);
    if (record.getUint32(0, true) !== ZIP64_EOCD) throw corrupt(source, "its ZIP64 end record is missing");
    count = Number(record.getBigUint64(32, true));
    size = Number(record.getBigUint64(40, true));
    offset = Number(record.getBigUint64(48, true));
  }
  return { offset, count, size };
}

function parseCentralDirectory(source: ByteSource, directory: Uint8Array, count: number): Map<string, ZipEntry> {
  const view = new DataView(directory.buffer, directory.byteOffset, directory.byteLength);
  const decoder = new TextDecoder();
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.byteLength || view.getUint32(at, true) !== CENTRAL)
      throw corrupt(source, `central directory entry ${i} is damaged`);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    if (at + 46 + nameLength + extraLength > directory.byteLength) throw corrupt(source, `central directory entry ${i} is cut short`);
    const name = decoder.decode(directory.subarray(at + 46, at + 46 + nameLength));
    const sizes = {
      size: view.getUint32(at + 24, true),
      compressedSize: view.getUint32(at + 20, true),
      localHeaderOffset: view.getUint32(at + 42, true),
    };
    applyZip64Extra(sizes, new DataView(directory.buffer, directory.byteOffset + at + 46 + nameLength, extraLength));
    const method = view.getUint16(at + 10, true);
    if (method !== 0 && method !== 8) throw corrupt(source, `entry ${name} uses unsupported compression method ${method}`);
    if (method === 0 && sizes.size !== sizes.compressedSize)
      throw corrupt(source, `stored entry ${name} declares ${sizes.size} bytes but holds ${sizes.compressedSize}`);
    if (!Number.isSafeInteger(sizes.size) || !Number.isSafeInteger(sizes.localHeaderOffset))
      throw corrupt(source, `entry ${name} has sizes beyond 2^53`);
    entries.set(name, { name, method, ...sizes });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Replaces 0xFFFFFFFF placeholders by the 64-bit values of the ZIP64 extra field, in the order the format fixes. */
function applyZip64Extra(sizes: { size: number; compressedSize: number; localHeaderOffset: number }, extra: DataView): void {
  for (let at = 0; at + 4 <= extra.byteLength; ) {
    const id = extra.getUint16(at, true);
    const length = extra.getUint16(at + 2, true);
    if (id === 0x0001) {
      let field = at + 4;
      for (const key of ["size", "compressedSize", "localHeaderOffset"] as const) {
        if (sizes[key] !== 0xffffffff || field + 8 > at + 4 + length) continue;
        sizes[key] = Number(extra.getBigUint64(field, true));
        field += 8;
      }
    }
    at += 4 + length;
  }
}
