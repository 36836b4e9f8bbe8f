import { describe, expect, it } from "vitest";
import { TensorPool } from "../../../core/face/tensor-pool.js";

describe("TensorPool", () => {
  it("hands a released array out again for the same length, and a new one while it is taken", () => {
    const pool = new TensorPool();
    const a = pool.acquire(12);
    const b = pool.acquire(12);
    expect(b).not.toBe(a);
    pool.release(a);
    expect(pool.acquire(12)).toBe(a);
    expect(pool.acquire(8).length).toBe(8);
  });

  it("keeps at most the given number of idle arrays per length", () => {
    const pool = new TensorPool(1);
    const [a, b] = [pool.acquire(4), pool.acquire(4)];
    pool.release(a);
    pool.release(b);
    expect(pool.acquire(4)).toBe(a);
    expect(pool.acquire(4)).not.toBe(b);
  });
});
