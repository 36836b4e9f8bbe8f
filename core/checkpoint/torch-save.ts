import { ErrorCode, InstantIdError } from "../errors.js";
import { writeFully, writeStreamAtomic } from "../io/atomic.js";
import { floatToHalf } from "../tensor/dtype.js";
import { sizeOf, type Tensor } from "../tensor/tensor.js";
import { PickleWriter } from "./pickle-writer.js";
import { ZipWriter, type ByteSink } from "./zip-writer.js";

/** What torch.save can be given here: one tensor, or (nested) string-keyed dicts of tensors. */
export type TorchSaveValue = Tensor | ReadonlyMap<string, TorchSaveValue> | { readonly [key: string]: TorchSaveValue };

/** Options of {@link encodeTorchSave} and {@link writeTorchSave}. */
export interface TorchSaveOptions {
  /** Element type of the stored tensors (values are float32 in memory). Default "F32". */
  readonly dtype?: "F32" | "F16" | "BF16";
  /** Folder name inside the archive; torch uses the file's stem. Default "archive". */
  readonly archiveName?: string;
}

const STORAGE_CLASS = { F32: "FloatStorage", F16: "HalfStorage", BF16: "BFloat16Storage" } as const;

function isTensor(value: TorchSaveValue): value is Tensor {
  return (
    typeof value === "object" && value !== null && (value as Tensor).data instanceof Float32Array && Array.isArray((value as Tensor).shape)
  );
}

/** Row-major strides of a shape. */
function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i];
  }
  return strides;
}

/** Pickles `value` as torch.save does; every tensor gets its own storage, collected in `storages` in key order. */
function pickleValue(value: TorchSaveValue, dtype: "F32" | "F16" | "BF16", storages: Tensor[]): Uint8Array {
  const writer = new PickleWriter();
  const visit = (node: TorchSaveValue, path: string): void => {
    if (isTensor(node)) {
      if (node.data.length !== sizeOf(node.shape)) {
        throw new InstantIdError(
          ErrorCode.ShapeMismatch,
          `Tensor ${path || "(root)"} has ${node.data.length} values but shape [${node.shape.join(", ")}]`,
        );
      }
      const key = String(storages.length);
      storages.push(node);
      writer.global("torch._utils", "_rebuild_tensor_v2").mark();
      writer
        .mark()
        .string("storage")
        .global("torch", STORAGE_CLASS[dtype])
        .string(key)
        .string("cpu")
        .int(node.data.length)
        .tuple()
        .binPersId();
      writer.int(0).intTuple(node.shape).intTuple(contiguousStrides(node.shape)).bool(false);
      writer.global("collections", "OrderedDict").emptyTuple().reduce();
      writer.tuple().reduce();
      return;
    }
    const entries = node instanceof Map ? [...node.entries()] : Object.entries(node);
    writer.emptyDict();
    if (entries.length === 0) return;
    writer.mark();
    for (const [key, child] of entries) {
      writer.string(key);
      visit(child, path ? `${path}.${key}` : key);
    }
    writer.setItems();
  };
  visit(value, "");
  return writer.finish();
}

function storageBytes(t: Tensor, dtype: "F32" | "F16" | "BF16"): Uint8Array {
  if (dtype === "F32") return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Uint16Array(t.data.length);
  if (dtype === "F16") for (let i = 0; i < out.length; i++) out[i] = floatToHalf(t.data[i]);
  else {
    const bits = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
    for (let i = 0; i < out.length; i++) {
      const x = bits[i];
      out[i] = (x & 0x7fffffff) > 0x7f800000 ? (x >>> 16) | 0x40 : ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff; // nearest even; NaN stays NaN
    }
  }
  return new Uint8Array(out.buffer);
}

async function writeArchive(value: TorchSaveValue, options: TorchSaveOptions, sink: ByteSink): Promise<void> {
  const dtype = options.dtype ?? "F32";
  const name = options.archiveName ?? "archive";
  const storages: Tensor[] = [];
  const pickle = pickleValue(value, dtype, storages);
  const zip = new ZipWriter(sink);
  await zip.add(`${name}/data.pkl`, [pickle]);
  await zip.add(`${name}/byteorder`, [new TextEncoder().encode("little")]);
  for (let i = 0; i < storages.length; i++) await zip.add(`${name}/data/${i}`, [storageBytes(storages[i], dtype)]);
  await zip.add(`${name}/version`, [new TextEncoder().encode("3\n")]);
  await zip.finish();
}

/**
 * The bytes `torch.save(value, f)` would write (zip format): `torch.load` reads them back as a tensor
 * or a dict of tensors.
 */
export async function encodeTorchSave(value: TorchSaveValue, options: TorchSaveOptions = {}): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  await writeArchive(value, options, async (chunk) => {
    chunks.push(chunk);
  });
  return Buffer.concat(chunks);
}

/** Streams a torch.save archive to `path` atomically (temp file, then rename); tensors are written in place, not copied. */
export async function writeTorchSave(path: string, value: TorchSaveValue, options: TorchSaveOptions = {}): Promise<void> {
  await writeStreamAtomic(path, (file) => writeArchive(value, options, (chunk) => writeFully(file, chunk)));
}
