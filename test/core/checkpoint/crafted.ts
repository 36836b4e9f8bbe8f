import { crc32, deflateRawSync } from "node:zlib";
import type { ByteSource } from "../../../core/checkpoint/byte-source.js";
import { PickleWriter } from "../../../core/checkpoint/pickle-writer.js";
import { encodeTorchSave } from "../../../core/checkpoint/torch-save.js";
import { encodeSafetensors } from "../../../core/tensor/safetensors.js";
import { tensor } from "../../../core/tensor/tensor.js";

/**
 * The crafted checkpoint set: hostile files built here, byte by byte, from the SDK's own pickle
 * writer and a small zip writer (deflate, false sizes), so no binary from elsewhere is committed.
 */

/** One record of a crafted zip: its bytes, optionally deflated, optionally lying about its size. */
export interface CraftedEntry {
  readonly name: string;
  readonly data: Uint8Array;
  readonly deflate?: boolean;
  /** The uncompressed size the directory claims (default: the true size). */
  readonly declaredSize?: number;
  /** Bytes stored instead of the (deflated) data, e.g. a corrupt stream. */
  readonly stored?: Uint8Array;
}

/** A zip archive of `entries`, central directory included (no ZIP64: sizes below 4 GiB). */
export function craftZip(entries: readonly CraftedEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const body = entry.stored ?? (entry.deflate ? deflateRawSync(entry.data) : entry.data);
    const size = entry.declaredSize ?? entry.data.byteLength;
    const method = entry.deflate ? 8 : 0;
    const crc = crc32(entry.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.byteLength, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.byteLength, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.byteLength, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.byteLength, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, Buffer.from(body));
    centrals.push(central, name);
    offset += 30 + name.byteLength + body.byteLength;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.byteLength, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** What `_rebuild_tensor_v2` is called with in a crafted pickle. */
export interface CraftedView {
  readonly storage: "FloatStorage" | "HalfStorage";
  readonly numel: number;
  /** A storage offset; a non-integer is written as a float (BINFLOAT). */
  readonly offset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
}

/** Pushes `_rebuild_tensor_v2(storage '0', offset, shape, stride, False, OrderedDict())` onto `w`. */
export function writeView(w: PickleWriter, view: CraftedView): PickleWriter {
  w.global("torch._utils", "_rebuild_tensor_v2").mark();
  w.mark().string("storage").global("torch", view.storage).string("0").string("cpu").int(view.numel).tuple().binPersId();
  if (Number.isInteger(view.offset)) w.int(view.offset);
  else w.float(view.offset);
  w.intTuple(view.shape).intTuple(view.stride).bool(false).global("collections", "OrderedDict").emptyTuple().reduce();
  return w.tuple().reduce();
}

/** A torch archive whose dict {"t": view} reads storage `data/0` holding `storage` bytes. */
export function viewArchive(view: CraftedView, storage: Uint8Array, options: { deflate?: boolean } = {}): Buffer {
  const w = new PickleWriter().emptyDict().string("t");
  writeView(w, view).setItem();
  return craftZip([
    { name: "a/data.pkl", data: w.finish() },
    { name: "a/byteorder", data: Buffer.from("little") },
    { name: "a/data/0", data: storage, deflate: options.deflate },
    { name: "a/version", data: Buffer.from("3\n") },
  ]);
}

/**
 * A pickle of dicts nested `depth` deep where each level holds the previous one twice, shared through
 * the memo: 1.3 KB that names 2^depth paths to one tensor if every path were walked.
 */
export function sharedDictArchive(depth: number): Buffer {
  const w = new PickleWriter().emptyDict().string("t");
  writeView(w, { storage: "FloatStorage", numel: 1, offset: 0, shape: [1], stride: [1] })
    .setItem()
    .put(0);
  for (let level = 1; level <= depth; level++) {
    w.emptyDict()
      .mark()
      .string("a")
      .get(level - 1)
      .string("b")
      .get(level - 1)
      .setItems()
      .put(level);
  }
  return craftZip([
    { name: "a/data.pkl", data: w.finish() },
    { name: "a/data/0", data: new Uint8Array(Float32Array.of(7).buffer) },
  ]);
}

/** A valid safetensors file whose header length is `remainder` modulo 256 (first byte 0x80 for 128). */
export function safetensorsWithHeaderLength(remainder: number): Buffer {
  for (let pad = 0; pad < 512; pad++) {
    const file = encodeSafetensors({ w: tensor([2], [1, 2]) }, { note: "x".repeat(pad) });
    if (Number(file.readBigUInt64LE(0)) % 256 === remainder) return file;
  }
  throw new Error(`no padding gives a header length of ${remainder} mod 256`);
}

/** A safetensors header (JSON object) as a file of its own, for headers whose tensors are crafted by hand. */
export function safetensorsHeader(header: Record<string, unknown>, data: Uint8Array = new Uint8Array(0)): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.byteLength));
  return Buffer.concat([length, json, data]);
}

/**
 * A byte source that claims `size` bytes but holds only `head` (zeros after it): a sparse multi-gigabyte
 * file without the disk space, to show that sizes are checked before anything is allocated.
 */
export function sparseSource(head: Uint8Array, size: number, name = "sparse file"): ByteSource {
  return {
    name,
    size,
    async readInto(target, position) {
      if (position + target.byteLength > size) throw new Error("read past the end");
      target.fill(0);
      if (position < head.byteLength) target.set(head.subarray(position, Math.min(head.byteLength, position + target.byteLength)));
    },
    async close() {},
  };
}

/** A small valid torch checkpoint (float16, two tensors, nested names) to mutate. */
export function validTorchCheckpoint(): Promise<Buffer> {
  return encodeTorchSave(
    { image_proj: { latents: tensor([2, 3], [1, 2, 3, 4, 5, 6]) }, ip_adapter: { "1.to_k_ip.weight": tensor([4], [0.5, -1, 2, 8]) } },
    { dtype: "F16" },
  );
}

/** A small deterministic PRNG (mulberry32): mutation runs are reproducible from their seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One mutant of `input`: a few bit flips, byte overwrites with boundary values, a truncation or a splice. */
export function mutate(input: Uint8Array, random: () => number): Buffer {
  const out = Buffer.from(input);
  const pick = (n: number) => Math.floor(random() * n);
  const kind = pick(4);
  if (kind === 0) {
    for (let i = 1 + pick(8); i > 0; i--) out[pick(out.length)] ^= 1 << pick(8);
  } else if (kind === 1) {
    const specials = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe];
    for (let i = 1 + pick(4); i > 0; i--) out[pick(out.length)] = specials[pick(specials.length)];
  } else if (kind === 2) {
    return out.subarray(0, pick(out.length));
  } else {
    const at = pick(out.length);
    const length = 1 + pick(16);
    out.copy(out, at, pick(out.length), Math.min(out.length, at + length));
  }
  return out;
}
