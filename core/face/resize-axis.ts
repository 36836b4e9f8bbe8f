// OpenCV's INTER_LINEAR for 8-bit images works in fixed point: 11-bit weights per axis,
// horizontal sums kept as int, the vertical blend done as (((S0 >> 4) * b0) >> 16) + (((S1 >> 4) * b1) >> 16)
// rounded by 2 bits (its SIMD path). Reproducing it keeps our letterbox bit-identical to insightface's.
const COEF_BITS = 11;
const COEF_SCALE = 1 << COEF_BITS;

/** Round half to even, as OpenCV's cvRound / saturate_cast do on x86. */
function roundEven(value: number): number {
  const r = Math.round(value);
  return r - value === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Per output position along one axis: the two source offsets (index × channels) and their fixed-point weights. */
export interface AxisTable {
  readonly index0: Int32Array;
  readonly index1: Int32Array;
  readonly weight0: Int32Array;
  readonly weight1: Int32Array;
}

/** Source offsets (index × channels) and fixed-point weights for one axis, as OpenCV's resize computes them (float32 positions). */
export function axisTable(srcSize: number, dstSize: number, clampWeight: boolean, channels: number): AxisTable {
  const scale = 1 / (dstSize / srcSize);
  const index0 = new Int32Array(dstSize);
  const index1 = new Int32Array(dstSize);
  const weight0 = new Int32Array(dstSize);
  const weight1 = new Int32Array(dstSize);
  for (let d = 0; d < dstSize; d++) {
    const position = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(position);
    let f = Math.fround(position - s);
    if (clampWeight && s < 0) (f = 0), (s = 0);
    if (clampWeight && s >= srcSize - 1) (f = 0), (s = srcSize - 1);
    index0[d] = Math.min(Math.max(s, 0), srcSize - 1) * channels;
    index1[d] = Math.min(Math.max(s + 1, 0), srcSize - 1) * channels;
    weight0[d] = roundEven(Math.fround(1 - f) * COEF_SCALE);
    weight1[d] = roundEven(f * COEF_SCALE);
  }
  return { index0, index1, weight0, weight1 };
}
