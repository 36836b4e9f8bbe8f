import { ErrorCode, InstantIdError, toInstantIdError } from "../errors.js";
import { DTYPE_BYTES } from "../tensor/dtype.js";
import { sizeOf, type Tensor } from "../tensor/tensor.js";
import { bufferSource, fileSource, type ByteSource } from "./byte-source.js";
import type { CheckpointFile, CheckpointTensorInfo } from "./checkpoint-file.js";
import { assertAllocatable, readAsFloat32, widen } from "./decode.js";
import { readPickle, type PickleValue } from "./pickle-reader.js";
import { checkpointKind, SIGNATURE_BYTES } from "./signature.js";
import { ALLOWED_TORCH_GLOBALS, isTensorRef, resolveTorchGlobal, torchPersistentLoad, type TorchTensorRef } from "./torch-globals.js";
import { ZipReader, type ZipEntry } from "./zip-reader.js";

/** data.pkl of a state dict is kilobytes; this bounds what a hostile archive can make us parse. */
export const MAX_PICKLE_BYTES = 256 * 1024 * 1024;
/** `byteorder` and `version` records hold a word; anything larger is not torch's. */
const MAX_METADATA_RECORD_BYTES = 4096;
/** Tensors one checkpoint may name (ip-adapter.bin has 250; SDXL UNets a few thousand). */
export const MAX_TENSOR_NAMES = 1_000_000;
/** Longest dotted tensor name accepted. */
export const MAX_TENSOR_NAME_LENGTH = 4096;

/**
 * A checkpoint in PyTorch's zip format (`torch.save` since 1.6): `<archive>/data.pkl` read by the safe
 * pickle reader, each storage read from `<archive>/data/<key>` at its offset when a tensor is asked for.
 */
export class TorchCheckpoint implements CheckpointFile {
  readonly format = "torch";

  private constructor(
    readonly path: string,
    /** The unpickled object, tensors left as references (for callers that need non-tensor values). */
    readonly root: PickleValue,
    private readonly zip: ZipReader,
    private readonly prefix: string,
    private readonly refs: ReadonlyMap<string, TorchTensorRef>,
  ) {}

  /** Opens a torch checkpoint file; only its small pickle is read now. */
  static async open(path: string): Promise<TorchCheckpoint> {
    return TorchCheckpoint.fromSource(await fileSource(path));
  }

  /** Reads a torch.save blob held in memory (e.g. a decoded base64 string). */
  static async fromBytes(bytes: Uint8Array, name = "torch blob"): Promise<TorchCheckpoint> {
    return TorchCheckpoint.fromSource(bufferSource(bytes, name));
  }

  /** Opens a torch zip archive from any byte source; closes the source if it is not one. */
  static async fromSource(source: ByteSource): Promise<TorchCheckpoint> {
    try {
      await refuseLegacyFormat(source);
      const zip = await ZipReader.open(source);
      const pickleEntry = [...zip.entries.values()].find((e) => e.name.endsWith("data.pkl") && e.name.split("/").length === 2);
      if (!pickleEntry)
        throw new InstantIdError(
          ErrorCode.FileCorrupt,
          `${source.name} is a zip archive without <archive>/data.pkl, so it is not a torch checkpoint`,
        );
      if (pickleEntry.size > MAX_PICKLE_BYTES)
        throw new InstantIdError(
          ErrorCode.FileCorrupt,
          `${source.name}: its data.pkl (${pickleEntry.size} bytes) is too large for a state dict`,
        );
      const prefix = pickleEntry.name.slice(0, -"data.pkl".length);
      await refuseBigEndian(zip, prefix, source.name);
      const root = unpickle(await zip.read(pickleEntry, MAX_PICKLE_BYTES), source.name);
      const refs = collectTensors(root, source.name);
      return new TorchCheckpoint(source.name, root, zip, prefix, refs);
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  /** Tensor names (nested dict keys joined by dots) in pickle order. */
  names(): string[] {
    return [...this.refs.keys()];
  }

  /** Stored dtype and shape of one tensor. */
  info(name: string): CheckpointTensorInfo {
    const ref = this.ref(name);
    return { name, dtype: ref.storage.dtype, shape: ref.shape };
  }

  /**
   * Reads one tensor from its storage record and widens it to float32; strided views are gathered.
   * A view with more elements than its storage record holds (an `expand`ed, stride-0 tensor) is
   * refused rather than materialised, so memory stays bounded by the file.
   */
  async tensor(name: string): Promise<Tensor> {
    const ref = this.ref(name);
    const entry = this.storageEntry(ref);
    const { dtype } = ref.storage;
    const elementBytes = DTYPE_BYTES[dtype];
    const count = sizeOf(ref.shape);
    assertAllocatable(count, dtype, name, this.path);
    const span = count === 0 ? 0 : 1 + ref.shape.reduce((last, d, i) => last + (d - 1) * ref.stride[i], 0);
    if ((ref.offset + span) * elementBytes > entry.size) {
      throw new InstantIdError(ErrorCode.FileCorrupt, `${this.path}: tensor ${name} reaches past the end of its storage ${entry.name}`);
    }
    if (count * elementBytes > entry.size) {
      throw new InstantIdError(
        ErrorCode.ModelInvalid,
        `${this.path}: tensor ${name} is an expanded view (a stride of 0 or overlapping strides): ${count} elements over a ` +
          `storage of ${entry.size / elementBytes}; it is not materialised. Save it with .contiguous() (or .clone()) first`,
        { details: { source: this.path, tensor: name, elements: count, storageElements: entry.size / elementBytes } },
      );
    }
    const start = ref.offset * elementBytes;
    if (isContiguous(ref.shape, ref.stride)) {
      const data = await readAsFloat32(count, dtype, (target) => this.zip.readRange(entry, start, target));
      return { shape: [...ref.shape], data };
    }
    const raw = new Uint8Array(span * elementBytes);
    await this.zip.readRange(entry, start, raw);
    return { shape: [...ref.shape], data: gather(widen(raw, dtype), ref.shape, ref.stride) };
  }

  /** Closes the underlying file. */
  async close(): Promise<void> {
    this.zip.release();
    await this.zip.source.close();
  }

  private ref(name: string): TorchTensorRef {
    const ref = this.refs.get(name);
    if (!ref) {
      const known = this.names();
      throw new InstantIdError(
        ErrorCode.InvalidInput,
        `${this.path} has no tensor named "${name}"; it has ${known.length} tensors, e.g. ${known.slice(0, 5).join(", ")}`,
      );
    }
    return ref;
  }

  private storageEntry(ref: TorchTensorRef): ZipEntry {
    const entry = this.zip.entries.get(`${this.prefix}data/${ref.storage.key}`);
    if (!entry)
      throw new InstantIdError(ErrorCode.FileCorrupt, `${this.path} lacks the storage record ${this.prefix}data/${ref.storage.key}`);
    return entry;
  }
}

function unpickle(bytes: Uint8Array, source: string): PickleValue {
  try {
    return readPickle(bytes, {
      source,
      allowed: ALLOWED_TORCH_GLOBALS,
      resolveGlobal: resolveTorchGlobal,
      persistentLoad: torchPersistentLoad,
    });
  } catch (error) {
    throw toInstantIdError(error, ErrorCode.FileCorrupt, `${source}: its pickle is not a torch state dict`);
  }
}

async function refuseLegacyFormat(source: ByteSource): Promise<void> {
  const magic = new Uint8Array(Math.min(SIGNATURE_BYTES, source.size));
  await source.readInto(magic, 0);
  if (checkpointKind(magic) === "torch-legacy") {
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      `${source.name} uses torch's legacy (pre-1.6) serialization, which is not supported; re-save it with ` +
        `torch.save(torch.load(path), path) on torch >= 1.6 or convert it to safetensors`,
    );
  }
}

async function refuseBigEndian(zip: ZipReader, prefix: string, name: string): Promise<void> {
  const entry = zip.entries.get(`${prefix}byteorder`);
  if (!entry) return;
  const order = new TextDecoder().decode(await zip.read(entry, MAX_METADATA_RECORD_BYTES)).trim();
  if (order !== "little")
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      `${name} was saved with ${order}-endian storages; re-save it on a little-endian machine`,
    );
}

/** State dicts nest a few levels; deeper structures are not walked (and cannot exhaust the stack). */
const MAX_NESTING = 32;

/**
 * Flattens nested dicts into dotted names; non-tensor leaves (versions, metadata) are skipped. A dict
 * the pickle shares (memo GETs) is walked once, under the first name that reaches it, so a file of
 * dicts that each hold the previous one twice costs linear, not exponential, time; names and their
 * lengths are capped.
 */
function collectTensors(root: PickleValue, source: string): Map<string, TorchTensorRef> {
  const out = new Map<string, TorchTensorRef>();
  const walked = new Set<Map<PickleValue, PickleValue>>();
  const tooMany = (why: string) =>
    new InstantIdError(ErrorCode.FileCorrupt, `${source}: its pickle is not a state dict (${why})`, { details: { source } });
  const visit = (value: PickleValue, prefix: string, depth: number): void => {
    if (isTensorRef(value)) {
      if (out.size >= MAX_TENSOR_NAMES) throw tooMany(`more than ${MAX_TENSOR_NAMES} tensors`);
      if (!out.has(prefix)) out.set(prefix, value);
      return;
    }
    if (!(value instanceof Map) || depth >= MAX_NESTING || walked.has(value)) return;
    walked.add(value);
    for (const [key, child] of value) {
      if (typeof key !== "string" && typeof key !== "number") continue;
      if (!isTensorRef(child) && !(child instanceof Map)) continue;
      const name = String(key);
      if (prefix.length + 1 + name.length > MAX_TENSOR_NAME_LENGTH)
        throw tooMany(`a tensor name longer than ${MAX_TENSOR_NAME_LENGTH} characters`);
      visit(child, prefix ? `${prefix}.${name}` : name, depth + 1);
    }
  };
  visit(root, "", 0);
  return out;
}

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/** Copies a strided view into row-major order. */
function gather(source: Float32Array, shape: readonly number[], stride: readonly number[]): Float32Array {
  const out = new Float32Array(sizeOf(shape));
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    let at = 0;
    for (let d = 0; d < shape.length; d++) at += index[d] * stride[d];
    out[i] = source[at];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}
