import { expect } from "vitest";

/** Asserts |a - e| <= abs + rel * |e| elementwise, reporting the worst element. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: { abs: number; rel?: number },
  what = "tensor",
): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const limit = tolerance.abs + (tolerance.rel ?? 0) * Math.abs(expected[i]);
    const excess = Math.abs(actual[i] - expected[i]) - limit;
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${what}[${worst}] = ${actual[worst]} but expected ${expected[worst]} (tolerance abs ${tolerance.abs}, rel ${tolerance.rel ?? 0})`,
    );
  }
}
