import { Mt19937 } from "../adapter/mt19937.js";

/**
 * Seeded random weights for synthetic models: uniform with the variance of PyTorch's default
 * initialisation scaled to keep activations near unit size (±√3/√fan_in), so a deep random network
 * neither explodes nor vanishes. The same seed gives the same model, byte for byte.
 */
export class RandomWeights {
  private readonly random: Mt19937;

  constructor(seed: number) {
    this.random = new Mt19937(seed);
  }

  /** `count` values uniform in [−bound, bound]. */
  uniform(count: number, bound: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (this.random.nextFloat24() * 2 - 1) * bound;
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
    const out = new Float32Array(count);
    for (let i = 0; i < count; i += 2) {
      const u = Math.max(this.random.nextFloat24(), 2 ** -24);
      const v = this.random.nextFloat24();
      const r = std * Math.sqrt(-2 * Math.log(u));
      out[i] = r * Math.cos(2 * Math.PI * v);
      if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * v);
    }
    return out;
  }
}
