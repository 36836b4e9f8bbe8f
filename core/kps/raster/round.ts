/** OpenCV's `cvRound`: nearest integer, ties to even (the FPU's default rounding). */
export function cvRound(value: number): number {
  const fraction = Math.abs(value % 1);
  if (fraction === 0.5) return 2 * Math.round(value / 2);
  return Math.round(value);
}

/** C's truncating integer division of two integers. */
export function truncDiv(numerator: number, denominator: number): number {
  return Math.trunc(numerator / denominator);
}
