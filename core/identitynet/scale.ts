import type { Tensor } from "../tensor/tensor.js";

/**
 * `target = weight · plane · target` (or `target += weight · plane · source` when accumulating), over
 * [rows, channels, h, w] with an optional [h, w] plane. One pass over the data, in place: the
 * only time residual bytes move through JavaScript.
 */
export function scaleResidual(target: Tensor, weight: number, plane?: Float32Array, source?: Tensor): void {
  const t = target.data;
  const s = source ? source.data : t;
  if (!plane) {
    if (source) for (let i = 0; i < t.length; i++) t[i] += weight * s[i];
    else if (weight !== 1) for (let i = 0; i < t.length; i++) t[i] *= weight;
    return;
  }
  const area = plane.length;
  for (let base = 0; base < t.length; base += area) {
    if (source) for (let k = 0; k < area; k++) t[base + k] += weight * plane[k] * s[base + k];
    else for (let k = 0; k < area; k++) t[base + k] = weight * plane[k] * t[base + k];
  }
}
