/**
 * y = x · Wᵀ (+ b) for x [rows, inDim] and a PyTorch Linear weight W [outDim, inDim], in float32, in
 * plain JavaScript. For the small products the SDK computes itself (one layer's image K/V, the conformance
 * runners); the large ones (Resampler, the K/V precompute) run on ONNX Runtime's Gemm.
 */
export function linear(
  x: Float32Array,
  rows: number,
  weight: Float32Array,
  outDim: number,
  bias?: Float32Array,
  out = new Float32Array(rows * outDim),
): Float32Array {
  linearJs(x, rows, weight, outDim, out);
  if (bias) for (let r = 0; r < rows; r++) for (let k = 0; k < outDim; k++) out[r * outDim + k] += bias[k];
  return out;
}

/**
 * The plain JavaScript product: both operands read along contiguous rows (dot-product form),
 * register-blocked 4 output features × 4 input rows so each loaded element serves four products.
 */
function linearJs(
  x: Float32Array,
  rows: number,
  weight: Float32Array,
  outDim: number,
  out = new Float32Array(rows * outDim),
): Float32Array {
  const inDim = weight.length / outDim;
  let o = 0;
  for (; o + 4 <= outDim; o += 4) {
    let r = 0;
    for (; r + 4 <= rows; r += 4) block4x4(x, weight, inDim, outDim, r, o, out);
    for (; r < rows; r++) for (let k = 0; k < 4; k++) out[r * outDim + o + k] = dot(x, r * inDim, weight, (o + k) * inDim, inDim);
  }
  for (; o < outDim; o++) for (let r = 0; r < rows; r++) out[r * outDim + o] = dot(x, r * inDim, weight, o * inDim, inDim);
  return out;
}

function dot(a: Float32Array, aAt: number, b: Float32Array, bAt: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    s0 += a[aAt + i] * b[bAt + i];
    s1 += a[aAt + i + 1] * b[bAt + i + 1];
  }
  if (i < n) s0 += a[aAt + i] * b[bAt + i];
  return s0 + s1;
}

function block4x4(x: Float32Array, w: Float32Array, n: number, outDim: number, r: number, o: number, out: Float32Array): void {
  const x0 = r * n,
    x1 = x0 + n,
    x2 = x1 + n,
    x3 = x2 + n;
  const w0 = o * n,
    w1 = w0 + n,
    w2 = w1 + n,
    w3 = w2 + n;
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let i = 0; i < n; i++) {
    const a0 = x[x0 + i],
      a1 = x[x1 + i],
      a2 = x[x2 + i],
      a3 = x[x3 + i];
    const b0 = w[w0 + i],
      b1 = w[w1 + i],
      b2 = w[w2 + i],
      b3 = w[w3 + i];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
  }
  let at = r * outDim + o;
  out[at] = c00;
  out[at + 1] = c01;
  out[at + 2] = c02;
  out[at + 3] = c03;
  at += outDim;
  out[at] = c10;
  out[at + 1] = c11;
  out[at + 2] = c12;
  out[at + 3] = c13;
  at += outDim;
  out[at] = c20;
  out[at + 1] = c21;
  out[at + 2] = c22;
  out[at + 3] = c23;
  at += outDim;
  out[at] = c30;
  out[at + 1] = c31;
  out[at + 2] = c32;
  out[at + 3] = c33;
}
