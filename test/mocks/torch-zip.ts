import { inflateRawSync } from "node:zlib";

/** One entry of a zip archive. */
export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
  /** Offset of the entry's data in the archive: torch aligns tensor storage to 64 bytes. */
  readonly dataOffset: number;
}

/** Reads a zip archive through its central directory, the way Python's zipfile (and torch.load) does. */
export function readZip(archive: Buffer): ZipEntry[] {
  const eocd = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error("not a zip archive: no end of central directory record");
  const count = archive.readUInt16LE(eocd + 10);
  let offset = archive.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(offset) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
    const method = archive.readUInt16LE(offset + 10);
    const compressedSize = archive.readUInt32LE(offset + 20);
    const nameLength = archive.readUInt16LE(offset + 28);
    const extraLength = archive.readUInt16LE(offset + 30);
    const commentLength = archive.readUInt16LE(offset + 32);
    const localOffset = archive.readUInt32LE(offset + 42);
    const name = archive.subarray(offset + 46, offset + 46 + nameLength).toString("utf8");
    if (archive.readUInt32LE(localOffset) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const dataOffset = localOffset + 30 + archive.readUInt16LE(localOffset + 26) + archive.readUInt16LE(localOffset + 28);
    const raw = archive.subarray(dataOffset, dataOffset + compressedSize);
    entries.push({ name, dataOffset, data: method === 0 ? Buffer.from(raw) : inflateRawSync(raw) });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * Checks that `blob` is what `torch.load` needs for a float32 tensor saved with `torch.save` (zip format):
 * `<dir>/data.pkl` rebuilding a FloatStorage tensor, `<dir>/data/0` with the storage, `<dir>/version`, the
 * value count a multiple of `rowLength` (sd-webui-controlnet reshapes InstantID's input to [1, -1, 512]);
 * returns the tensor's values, or throws saying what is wrong.
 */
export function readTorchFloatTensor(blob: Buffer, rowLength: number): Float32Array {
  const entries = readZip(blob);
  const pickle = entries.find((e) => e.name.endsWith("/data.pkl"));
  if (!pickle) throw new Error(`no data.pkl in the archive (entries: ${entries.map((e) => e.name).join(", ")})`);
  const dir = pickle.name.slice(0, -"/data.pkl".length);
  if (entries.some((e) => !e.name.startsWith(`${dir}/`))) throw new Error(`entries outside the archive folder ${dir}/`);
  if (!entries.some((e) => e.name === `${dir}/version`)) throw new Error("no version record");
  const storage = entries.find((e) => e.name === `${dir}/data/0`);
  if (!storage) throw new Error("no storage data/0");
  if (storage.dataOffset % 64 !== 0) throw new Error(`storage data/0 is not 64-byte aligned (offset ${storage.dataOffset})`);
  const code = pickle.data.toString("latin1");
  if (pickle.data[0] !== 0x80) throw new Error("data.pkl does not start with a pickle PROTO opcode");
  for (const needle of ["torch._utils", "_rebuild_tensor_v2", "torch", "FloatStorage"]) {
    if (!code.includes(needle)) throw new Error(`data.pkl does not reference ${needle}`);
  }
  if (!storage.data.length || storage.data.length % (rowLength * 4)) {
    throw new Error(
      `shape '[1, -1, ${rowLength}]' is invalid for input of size ${storage.data.length / 4} (the storage holds ` +
        `${storage.data.length} bytes)`,
    );
  }
  return new Float32Array(storage.data.buffer.slice(storage.data.byteOffset, storage.data.byteOffset + storage.data.length));
}
