/**
 * Seeded random weights for synthetic models: uniform with the variance of PyTorch's default
 * initialisation scaled to keep activations near unit size (±√3/√fan_in), so a deep random network
 * neither explodes nor vanishes. The same seed gives the same model, byte for byte. The generator is
 * xorshift32 (fast enough for SDXL-width models' ~1e9 weights; statistical quality is irrelevant here).
 */
export class RandomWeights {
  private state: number;

  constructor(seed: number) {
    // xorshift32 must not start at 0; mix the seed so nearby seeds give unrelated streams.
    this.state = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0 || 1;
  }

  /** `count` values uniform in [−bound, bound]. */
  uniform(count: number, bound: number): Float32Array {
    const out = new Float32Array(count);
    let x = this.state;
    const scale = (2 * bound) / 4294967296;
    for (let i = 0; i < count; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = (x >>> 0) * scale - bound;
    }
    this.state = x >>> 0 || 1;
    return out;
  }

  /** A weight whose `fanIn` inputs sum to unit variance. */
  fanIn(count: number, fanIn: number, gain = 1): Float32Array {
    return this.uniform(count, (gain * Math.sqrt(3)) / Math.sqrt(fanIn));
  }

  /** A small bias. */
  bias(count: number): Float32Array {
    return this.uniform(count, 0.02);
  }

  /** Gaussian values (Box–Muller), mean 0, standard deviation `std`: sample embeddings and noise. */
  gaussian(count: number, std = 1): Float32Array {
    const u = this.uniform(count + (count % 2), 0.5);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i += 2) {
      const r = std * Math.sqrt(-2 * Math.log(Math.max(u[i] + 0.5, 2 ** -32)));
      const angle = 2 * Math.PI * (u[i + 1] + 0.5);
      out[i] = r * Math.cos(angle);
      if (i + 1 < count) out[i + 1] = r * Math.sin(angle);
    }
    return out;
  }
}
