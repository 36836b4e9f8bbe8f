/** A seeded source of standard normal numbers. */
export interface Rng {
  /** `count` independent N(0, 1) samples. */
  gaussian(count: number): Float32Array;
}

/**
 * A reproducible generator: mulberry32 (32-bit state, period 2³²) for uniforms, Box–Muller for
 * normals (both values of each pair are used). The same seed gives the same latents on every
 * platform; it does not reproduce torch's generator, so images differ from diffusers' for a seed.
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  return {
    gaussian(count) {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i += 2) {
        const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
        const angle = 2 * Math.PI * uniform();
        out[i] = radius * Math.cos(angle);
        if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
      }
      return out;
    },
  };
}
