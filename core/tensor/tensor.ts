import { ErrorCode, InstantIdError } from "../errors.js";

/** A dense float32 tensor in row-major (C) order, the SDK's one tensor type. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Builds a tensor, checking that the data length matches the shape. */
export function tensor(shape: readonly number[], data?: Float32Array | readonly number[]): Tensor {
  const size = sizeOf(shape);
  const values = data === undefined ? new Float32Array(size) : data instanceof Float32Array ? data : Float32Array.from(data);
  if (values.length !== size) {
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `Tensor data has ${values.length} values but shape [${shape.join(", ")}] needs ${size}`,
    );
  }
  return { shape: [...shape], data: values };
}

/** The same data seen with another shape of equal size. */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  return tensor(shape, t.data);
}

/** Throws a {@link InstantIdError} naming `what` when `t` does not have `expected` shape (-1 matches any size). */
export function assertShape(t: Tensor, expected: readonly number[], what: string): void {
  const ok = t.shape.length === expected.length && expected.every((d, i) => d === -1 || d === t.shape[i]);
  if (!ok) {
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `${what} has shape [${t.shape.join(", ")}] but [${expected.map((d) => (d === -1 ? "?" : d)).join(", ")}] was expected`,
    );
  }
}
