import type { DType } from "../tensor/dtype.js";
import type { PickleCallable, PickleObject, PickleValue } from "./pickle-reader.js";

/** A storage class such as `torch.FloatStorage`: only its element type matters. */
export interface TorchStorageType extends PickleObject {
  readonly pickleKind: "storage-type";
  readonly dtype: DType;
}

/** A storage named by a persistent id: the archive record `data/<key>` holding `numel` elements. */
export interface TorchStorageRef extends PickleObject {
  readonly pickleKind: "storage";
  readonly key: string;
  readonly dtype: DType;
  readonly numel: number;
}

/** A tensor as `_rebuild_tensor_v2` describes it: a view (offset, shape, strides) into a storage. */
export interface TorchTensorRef extends PickleObject {
  readonly pickleKind: "tensor";
  readonly storage: TorchStorageRef;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
}

const STORAGE_DTYPES: Readonly<Record<string, DType>> = {
  FloatStorage: "F32",
  HalfStorage: "F16",
  BFloat16Storage: "BF16",
  DoubleStorage: "F64",
  LongStorage: "I64",
  IntStorage: "I32",
  ShortStorage: "I16",
  CharStorage: "I8",
  ByteStorage: "U8",
  BoolStorage: "BOOL",
};

/** Tells a reference to a tensor apart from other pickle values. */
export function isTensorRef(value: PickleValue): value is TorchTensorRef {
  return typeof value === "object" && value !== null && (value as PickleObject).pickleKind === "tensor";
}

function isStorageRef(value: PickleValue): value is TorchStorageRef {
  return typeof value === "object" && value !== null && (value as PickleObject).pickleKind === "storage";
}

function intList(value: PickleValue, what: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0)) {
    throw new TypeError(`${what} is not a tuple of non-negative integers`);
  }
  return value as number[];
}

function callable(qualifiedName: string, call: (args: PickleValue[]) => PickleValue): PickleCallable {
  return { pickleKind: "callable", qualifiedName, call };
}

function rebuildTensor(args: PickleValue[]): PickleValue {
  const [storage, offset] = args;
  if (!isStorageRef(storage)) throw new TypeError("_rebuild_tensor_v2 got something other than a storage");
  // NaN, fractions and negatives would read the wrong bytes; torch's weights_only unpickler takes ints only.
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0)
    throw new TypeError("_rebuild_tensor_v2 got a storage offset that is not a whole number >= 0");
  const shape = intList(args[2], "tensor size");
  const stride = intList(args[3], "tensor stride");
  if (shape.length !== stride.length) throw new TypeError("tensor size and stride differ in length");
  const tensorRef: TorchTensorRef = { pickleKind: "tensor", storage, offset, shape, stride };
  return tensorRef;
}

function unwrapParameter(args: PickleValue[]): PickleValue {
  if (!isTensorRef(args[0])) throw new TypeError("_rebuild_parameter got something other than a tensor");
  return args[0];
}

function orderedDict(args: PickleValue[]): PickleValue {
  const map = new Map<PickleValue, PickleValue>();
  const items = args[0];
  if (Array.isArray(items)) for (const pair of items) if (Array.isArray(pair) && pair.length === 2) map.set(pair[0], pair[1]);
  return map;
}

const CALLABLES: Readonly<Record<string, PickleCallable>> = {
  "collections.OrderedDict": callable("collections.OrderedDict", orderedDict),
  "torch._utils._rebuild_tensor_v2": callable("torch._utils._rebuild_tensor_v2", rebuildTensor),
  "torch._utils._rebuild_parameter": callable("torch._utils._rebuild_parameter", unwrapParameter),
  "torch._utils._rebuild_parameter_with_state": callable("torch._utils._rebuild_parameter_with_state", unwrapParameter),
};

/** Every global a checkpoint may name; anything else is refused. */
export const ALLOWED_TORCH_GLOBALS: readonly string[] = [
  ...Object.keys(CALLABLES),
  ...Object.keys(STORAGE_DTYPES).map((name) => `torch.${name}`),
];

/** The value of an allowed global, or undefined (refused). Nothing is imported or executed: these are data. */
export function resolveTorchGlobal(module: string, name: string): PickleValue | undefined {
  const qualified = `${module}.${name}`;
  if (Object.hasOwn(CALLABLES, qualified)) return CALLABLES[qualified];
  if (module === "torch" && Object.hasOwn(STORAGE_DTYPES, name)) {
    const type: TorchStorageType = { pickleKind: "storage-type", dtype: STORAGE_DTYPES[name] };
    return type;
  }
  return undefined;
}

/** Resolves a persistent id `('storage', storage_type, key, location, numel)` to a storage reference. */
export function torchPersistentLoad(id: PickleValue): TorchStorageRef {
  if (!Array.isArray(id) || id[0] !== "storage" || id.length < 5) throw new TypeError("a persistent id is not a ('storage', ...) tuple");
  const [, type, key, , numel] = id;
  if (typeof type !== "object" || type === null || (type as PickleObject).pickleKind !== "storage-type") {
    throw new TypeError("a storage's type is not one of the allowed storage classes");
  }
  if (typeof key !== "string" || !/^[\w.-]+$/.test(key)) throw new TypeError("a storage key is not a plain name");
  if (typeof numel !== "number" || !Number.isSafeInteger(numel) || numel < 0) throw new TypeError("a storage size is invalid");
  return { pickleKind: "storage", key, dtype: (type as TorchStorageType).dtype, numel };
}
