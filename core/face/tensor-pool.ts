/**
 * Float arrays kept for reuse, by length. A recognizer input is 150 KB: a fresh one per face costs page
 * faults and garbage collection, so a recognizer takes one from here for each run and gives it back when
 * the run is over. Concurrent runs each get their own.
 */
export class TensorPool {
  private readonly free = new Map<number, Float32Array[]>();

  /** At most this many idle arrays are kept per length. */
  constructor(private readonly keepPerLength = 2) {}

  /** An array of `length` floats with unspecified contents, reused when one is free. */
  acquire(length: number): Float32Array {
    return this.free.get(length)?.pop() ?? new Float32Array(length);
  }

  /** Gives an array back once nothing reads it any more. */
  release(data: Float32Array): void {
    const list = this.free.get(data.length) ?? [];
    if (list.length < this.keepPerLength) list.push(data);
    this.free.set(data.length, list);
  }
}
