/** LayerNorm over the last axis (`width`) of `rows` rows, PyTorch's eps 1e-5, in place into `out`. */
export function layerNorm(
  x: Float32Array,
  rows: number,
  weight: Float32Array,
  bias: Float32Array,
  out = new Float32Array(x.length),
  eps = 1e-5,
): Float32Array {
  const width = weight.length;
  for (let r = 0; r < rows; r++) {
    const at = r * width;
    let mean = 0;
    for (let i = 0; i < width; i++) mean += x[at + i];
    mean /= width;
    let variance = 0;
    for (let i = 0; i < width; i++) {
      const d = x[at + i] - mean;
      variance += d * d;
    }
    const inv = 1 / Math.sqrt(variance / width + eps);
    for (let i = 0; i < width; i++) out[at + i] = (x[at + i] - mean) * inv * weight[i] + bias[i];
  }
  return out;
}

/**
 * erf with absolute error below 1.2e-7 (W. J. Cody-style rational fit via the complementary
 * function, Numerical Recipes' erfc Chebyshev form), enough for float32 GELU.
 */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return x >= 0 ? 1 - erfc : erfc - 1;
}

/** Exact (erf) GELU in place, as torch.nn.GELU() computes it. */
export function geluInPlace(x: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] = 0.5 * x[i] * (1 + erf(x[i] * Math.SQRT1_2));
  return x;
}

/** Softmax of each row of `rows` × `width` values, in place, max-subtracted for stability. */
export function softmaxRowsInPlace(x: Float32Array, rows: number, width: number): Float32Array {
  for (let r = 0; r < rows; r++) {
    const at = r * width;
    let max = -Infinity;
    for (let j = 0; j < width; j++) if (x[at + j] > max) max = x[at + j];
    let sum = 0;
    for (let j = 0; j < width; j++) {
      const e = Math.exp(x[at + j] - max);
      x[at + j] = e;
      sum += e;
    }
    for (let j = 0; j < width; j++) x[at + j] /= sum;
  }
  return x;
}

/** a += b, elementwise. */
export function addInPlace(a: Float32Array, b: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
  return a;
}
