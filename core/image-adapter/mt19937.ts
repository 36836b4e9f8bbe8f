/**
 * The Mersenne Twister MT19937 (Matsumoto & Nishimura 1998), seeded like std::mt19937 — the
 * generator behind torch.manual_seed on the CPU — so seeded noise matches PyTorch's.
 */
export class Mt19937 {
  private readonly state = new Uint32Array(624);
  private index = 624;

  /** Seeds the state as std::mt19937(seed) does (the low 32 bits of `seed`). */
  constructor(seed: number) {
    this.state[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const previous = this.state[i - 1] ^ (this.state[i - 1] >>> 30);
      this.state[i] = (Math.imul(1812433253, previous) + i) >>> 0;
    }
  }

  /** The next 32-bit output. */
  nextUint32(): number {
    if (this.index >= 624) this.twist();
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A float in [0, 1) from the low 24 bits of one output, as torch.rand draws float32 values. */
  nextFloat24(): number {
    return (this.nextUint32() & 0xffffff) * 2 ** -24;
  }

  private twist(): void {
    const s = this.state;
    for (let i = 0; i < 624; i++) {
      const y = (s[i] & 0x80000000) | (s[(i + 1) % 624] & 0x7fffffff);
      s[i] = s[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }
}
