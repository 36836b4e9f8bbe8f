import { crc32 } from "node:zlib";
import { ErrorCode, InstantIdError } from "../errors.js";

/** Receives the archive's bytes in order. */
export type ByteSink = (chunk: Uint8Array) => Promise<void>;

/** torch aligns record data to 64 bytes so storages can be memory-mapped; we do the same. */
const ALIGNMENT = 64;
const PADDING_EXTRA_ID = 0x4246; // "FB", the id torch's writer uses for its padding field
const MAX_32 = 0xffffffff;

interface Written {
  readonly name: Uint8Array;
  readonly crc: number;
  readonly size: number;
  readonly offset: number;
}

/**
 * A minimal zip writer for torch archives: stored (uncompressed) entries whose data starts on a
 * 64-byte boundary, CRC-32 in the local header, streamed to a sink so large checkpoints never sit
 * in memory twice. Archives must stay below 4 GiB (no ZIP64 on output).
 */
export class ZipWriter {
  private offset = 0;
  private readonly written: Written[] = [];

  constructor(private readonly sink: ByteSink) {}

  /** Appends one stored entry whose content is the concatenation of `parts`. */
  async add(name: string, parts: readonly Uint8Array[]): Promise<void> {
    const nameBytes = new TextEncoder().encode(name);
    let crc = 0;
    let size = 0;
    for (const part of parts) {
      crc = crc32(part, crc);
      size += part.byteLength;
    }
    const headerEnd = this.offset + 30 + nameBytes.byteLength + 4;
    const padding = (ALIGNMENT - (headerEnd % ALIGNMENT)) % ALIGNMENT;
    this.ensureFits(headerEnd + padding + size, name);
    const header = new Uint8Array(30 + nameBytes.byteLength + 4 + padding);
    const view = new DataView(header.buffer);
    view.setUint32(0, 0x04034b50, true);
    view.setUint16(4, 20, true);
    this.fixedFields(view, 6, crc, size);
    view.setUint16(26, nameBytes.byteLength, true);
    view.setUint16(28, 4 + padding, true);
    header.set(nameBytes, 30);
    view.setUint16(30 + nameBytes.byteLength, PADDING_EXTRA_ID, true);
    view.setUint16(32 + nameBytes.byteLength, padding, true);
    header.fill(0x5a, 34 + nameBytes.byteLength);
    this.written.push({ name: nameBytes, crc, size, offset: this.offset });
    await this.write(header);
    for (const part of parts) await this.write(part);
  }

  /** Writes the central directory and the end record. */
  async finish(): Promise<void> {
    const start = this.offset;
    for (const entry of this.written) {
      const record = new Uint8Array(46 + entry.name.byteLength);
      const view = new DataView(record.buffer);
      view.setUint32(0, 0x02014b50, true);
      view.setUint16(4, 20, true);
      view.setUint16(6, 20, true);
      this.fixedFields(view, 8, entry.crc, entry.size);
      view.setUint16(28, entry.name.byteLength, true);
      view.setUint32(42, entry.offset, true);
      record.set(entry.name, 46);
      await this.write(record);
    }
    const end = new DataView(new ArrayBuffer(22));
    end.setUint32(0, 0x06054b50, true);
    end.setUint16(8, this.written.length, true);
    end.setUint16(10, this.written.length, true);
    end.setUint32(12, this.offset - start, true);
    end.setUint32(16, start, true);
    this.ensureFits(this.offset + 22, "the central directory");
    await this.write(new Uint8Array(end.buffer));
  }

  /** flags, method, time, date, crc, sizes: the run of fields local and central headers share. */
  private fixedFields(view: DataView, at: number, crc: number, size: number): void {
    view.setUint16(at, 0x0800, true); // names are UTF-8
    view.setUint16(at + 2, 0, true); // stored
    view.setUint16(at + 4, 0, true);
    view.setUint16(at + 6, 0x21, true); // 1980-01-01
    view.setUint32(at + 8, crc >>> 0, true);
    view.setUint32(at + 12, size, true);
    view.setUint32(at + 16, size, true);
  }

  private ensureFits(end: number, what: string): void {
    if (end > MAX_32 || this.written.length >= 0xffff) {
      throw new InstantIdError(
        ErrorCode.InvalidInput,
        `Cannot write ${what}: torch archives written by the SDK must stay below 4 GiB and 65535 records; save fewer or smaller ` +
          `tensors per file`,
      );
    }
  }

  private async write(chunk: Uint8Array): Promise<void> {
    await this.sink(chunk);
    this.offset += chunk.byteLength;
  }
}
