import { describe, expect, it } from "vitest";
import { bufferSource } from "../../../core/checkpoint/byte-source.js";
import { openCheckpointSource } from "../../../core/checkpoint/open-checkpoint.js";
import { InstantIdError } from "../../../core/errors.js";
import { encodeSafetensors } from "../../../core/tensor/safetensors.js";
import { tensor } from "../../../core/tensor/tensor.js";
import { mutate, seededRandom, validTorchCheckpoint } from "./crafted.js";

/** Opens a (mutated) checkpoint and reads every tensor; returns the float32 bytes materialised, or the error. */
async function readAll(bytes: Uint8Array): Promise<{ bytes: number } | { error: unknown }> {
  try {
    const checkpoint = await openCheckpointSource(bufferSource(bytes, "mutant"));
    let total = 0;
    try {
      for (const name of checkpoint.names()) total += (await checkpoint.tensor(name)).data.byteLength;
    } finally {
      await checkpoint.close();
    }
    return { bytes: total };
  } catch (error) {
    return { error };
  }
}

/**
 * Mutation runs with a fixed seed: every mutant either opens, materialising at most 4 float32 bytes
 * per file byte (U8 widened to F32 is the most a valid file can grow), or fails with an InstantIdError.
 */
async function mutationRun(original: Uint8Array, seed: number, runs: number): Promise<{ opened: number; refused: number }> {
  const random = seededRandom(seed);
  let opened = 0;
  let refused = 0;
  for (let run = 0; run < runs; run++) {
    const mutant = mutate(original, random);
    const outcome = await readAll(mutant);
    if ("error" in outcome) {
      if (!(outcome.error instanceof InstantIdError)) throw new Error(`run ${run} (seed ${seed}) failed untyped: ${String(outcome.error)}`);
      refused++;
    } else {
      expect(outcome.bytes).toBeLessThanOrEqual(4 * mutant.byteLength);
      opened++;
    }
  }
  return { opened, refused };
}

describe("checkpoint mutation runs (seeded)", () => {
  it("a mutated torch checkpoint opens within bounds or fails typed, 400 mutants", async () => {
    const { opened, refused } = await mutationRun(await validTorchCheckpoint(), 15, 400);
    expect(opened + refused).toBe(400);
    expect(refused).toBeGreaterThan(0);
  });

  it("a mutated safetensors file opens within bounds or fails typed, 400 mutants", async () => {
    const file = encodeSafetensors({ a: tensor([2, 3], [1, 2, 3, 4, 5, 6]), b: tensor([4], [0, -1, 2, 8]) }, { about: "mutation" });
    const { opened, refused } = await mutationRun(file, 1915, 400);
    expect(opened + refused).toBe(400);
    expect(refused).toBeGreaterThan(0);
  });
});
