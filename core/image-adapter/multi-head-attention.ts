/** Where one side of an attention product lives: a [tokens, stride] buffer whose head h uses columns offset + h·headDim. */
export interface HeadSource {
  readonly data: Float32Array;
  /** First row of this batch item. */
  readonly row: number;
  readonly stride: number;
  readonly offset: number;
}

/**
 * softmax(q kᵀ · scale) v for every head of one batch item, accumulated as `out += weight · result`
 * (per query row when `rowWeights` is given): the attention core shared by the Resampler and the
 * image-attention patch. `out` is [queries, heads·headDim].
 */
export function attendHeads(
  q: HeadSource,
  k: HeadSource,
  v: HeadSource,
  queries: number,
  keys: number,
  heads: number,
  headDim: number,
  scale: number,
  out: Float32Array,
  outRow: number,
  weight = 1,
  rowWeights?: Float32Array,
): void {
  const scores = new Float64Array(keys);
  const width = heads * headDim;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < queries; i++) {
      const rowWeight = rowWeights ? weight * rowWeights[i] : weight;
      if (rowWeight === 0) continue;
      const qAt = (q.row + i) * q.stride + q.offset + h * headDim;
      let max = -Infinity;
      for (let j = 0; j < keys; j++) {
        const kAt = (k.row + j) * k.stride + k.offset + h * headDim;
        let s = 0;
        for (let d = 0; d < headDim; d++) s += q.data[qAt + d] * k.data[kAt + d];
        s *= scale;
        scores[j] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let j = 0; j < keys; j++) {
        scores[j] = Math.exp(scores[j] - max);
        sum += scores[j];
      }
      const oAt = (outRow + i) * width + h * headDim;
      for (let j = 0; j < keys; j++) {
        const p = (scores[j] / sum) * rowWeight;
        const vAt = (v.row + j) * v.stride + v.offset + h * headDim;
        for (let d = 0; d < headDim; d++) out[oAt + d] += p * v.data[vAt + d];
      }
    }
  }
}
