import { constants } from "node:buffer";
import { ErrorCode, InstantIdError } from "../errors.js";
import { DTYPE_BYTES, decodeToFloat32, halvesToFloat32, type DType } from "../tensor/dtype.js";

/** Whether this machine stores numbers little-endian (true on every platform Node ships for). */
const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The largest typed array this runtime allocates, in bytes (4 GiB on Node 20). */
export const MAX_TENSOR_BYTES = constants.MAX_LENGTH;

/**
 * Refuses, before anything is allocated, a tensor of `count` elements whose stored bytes or float32
 * copy would not fit one typed array (or whose count is not even a safe integer).
 */
export function assertAllocatable(count: number, dtype: DType, what: string, source: string): void {
  const bytes = Math.max(count * DTYPE_BYTES[dtype], count * 4);
  if (Number.isSafeInteger(count) && count >= 0 && bytes <= MAX_TENSOR_BYTES) return;
  throw new InstantIdError(
    ErrorCode.FileCorrupt,
    `${source}: tensor ${what} claims ${count} elements (${bytes} bytes as float32), more than one array can hold ` +
      `(${MAX_TENSOR_BYTES} bytes); the file is damaged, or the tensor must be split before it can be read here`,
    { details: { source, tensor: what, elements: count } },
  );
}

/**
 * Reads `count` elements of `dtype` through `fill` (which fills a byte view from the file) and returns
 * them as float32. float32 data is read straight into the result's memory, so no second copy exists.
 */
export async function readAsFloat32(count: number, dtype: DType, fill: (target: Uint8Array) => Promise<void>): Promise<Float32Array> {
  if (dtype === "F32" && littleEndianHost) {
    const out = new Float32Array(count);
    await fill(new Uint8Array(out.buffer));
    return out;
  }
  const raw = new Uint8Array(count * DTYPE_BYTES[dtype]);
  await fill(raw);
  return widen(raw, dtype);
}

/** Widens little-endian `dtype` bytes to float32. */
export function widen(raw: Uint8Array, dtype: DType): Float32Array {
  if (dtype === "F16") {
    const count = raw.byteLength / 2;
    return halvesToFloat32(
      raw.byteOffset % 2 === 0 ? new Uint16Array(raw.buffer, raw.byteOffset, count) : new Uint16Array(raw.slice().buffer),
    );
  }
  return decodeToFloat32(raw, dtype);
}
