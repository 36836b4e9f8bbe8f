import { createIdentity, type Identity } from "../../../core/index.js";
import { RandomWeights } from "../../../core/testing.js";
import type { GenerationRequest } from "../../../adapters/queue/index.js";

/** A 512-value identity (InstantID's recognizer size) from a seed. */
export function testIdentity(seed: number): Identity {
  return createIdentity([{ embedding: new RandomWeights(seed).gaussian(512) }]);
}

/** A small two-person generation request: each identity in its half of a 64×64 canvas. */
export function twoPeople(seed: number, extra: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    width: 64,
    height: 64,
    prompt: `job ${seed}`,
    identities: [
      { identity: testIdentity(1), region: { rect: [0, 0, 32, 64] } },
      { identity: testIdentity(2), region: { rect: [32, 0, 64, 64] }, adapterScale: 0.6 },
    ],
    settings: { steps: 2, cfg: 4, seed },
    ...extra,
  };
}
