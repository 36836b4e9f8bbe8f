import type { Tensor } from "../tensor/tensor.js";

// Each function is one pass over the data, in place: the only time residual bytes move through
// JavaScript. The loops are unrolled by four and kept monomorphic because at SDXL size (tens of
// millions of floats per step) the loop overhead, not memory, dominates otherwise.

/** `target ·= weight` over a residual, in place. */
export function scaleInPlace(target: Tensor, weight: number): void {
  const t = target.data;
  const n = t.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    t[i] *= weight;
    t[i + 1] *= weight;
    t[i + 2] *= weight;
    t[i + 3] *= weight;
  }
  for (; i < n; i++) t[i] *= weight;
}

/** `target ·= plane` over a [rows, channels, h, w] residual with an [h, w] plane (scale × mask), in place. */
export function multiplyPlaneInPlace(target: Tensor, plane: Float32Array): void {
  const t = target.data;
  const area = plane.length;
  for (let base = 0; base < t.length; base += area) {
    let k = 0;
    for (; k + 3 < area; k += 4) {
      t[base + k] *= plane[k];
      t[base + k + 1] *= plane[k + 1];
      t[base + k + 2] *= plane[k + 2];
      t[base + k + 3] *= plane[k + 3];
    }
    for (; k < area; k++) t[base + k] *= plane[k];
  }
}

/** `target += weight · source`, in place. */
export function addScaledInto(target: Tensor, source: Tensor, weight: number): void {
  const t = target.data;
  const s = source.data;
  const n = t.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    t[i] += weight * s[i];
    t[i + 1] += weight * s[i + 1];
    t[i + 2] += weight * s[i + 2];
    t[i + 3] += weight * s[i + 3];
  }
  for (; i < n; i++) t[i] += weight * s[i];
}

/** `target += plane · source` with an [h, w] plane (scale × mask), in place. */
export function addPlaneInto(target: Tensor, source: Tensor, plane: Float32Array): void {
  const t = target.data;
  const s = source.data;
  const area = plane.length;
  for (let base = 0; base < t.length; base += area) {
    for (let k = 0; k < area; k++) t[base + k] += plane[k] * s[base + k];
  }
}
