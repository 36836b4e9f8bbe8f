import { describe, expect, it } from "vitest";
import { combineEmbeddings, noiseEmbedding } from "../../../core/image-adapter/embeddings.js";
import { Mt19937 } from "../../../core/image-adapter/mt19937.js";

describe("combineEmbeddings", () => {
  const a = Float32Array.of(3, 0, 2);
  const b = Float32Array.of(1, 4, 0);

  it("averages by default into one token [1, 1, dim]", () => {
    expect(combineEmbeddings([a, b])).toEqual({ shape: [1, 1, 3], data: Float32Array.of(2, 2, 1) });
  });

  it("norm average divides each feature by its norm across references first", () => {
    const out = combineEmbeddings([a, b], "norm average").data;
    expect(out[0]).toBeCloseTo((3 / Math.sqrt(10) + 1 / Math.sqrt(10)) / 2, 6);
    expect(out[1]).toBeCloseTo(0.5, 6);
  });

  it("concat keeps every reference as a token [1, N, dim]", () => {
    expect(combineEmbeddings([a, b], "concat")).toEqual({ shape: [1, 2, 3], data: Float32Array.of(3, 0, 2, 1, 4, 0) });
  });

  it("refuses embeddings of different lengths and an empty list", () => {
    expect(() => combineEmbeddings([a, Float32Array.of(1)])).toThrow(/differ in length/);
    expect(() => combineEmbeddings([])).toThrow(/No face embeddings/);
  });
});

describe("Mt19937", () => {
  it("draws what torch.manual_seed(42); torch.rand(5) draws", () => {
    const random = new Mt19937(42);
    const drawn = Array.from({ length: 5 }, () => random.nextFloat24());
    expect(drawn).toEqual([0.8822692632675171, 0.9150039553642273, 0.38286375999450684, 0.9593056440353394, 0.3904482126235962]);
  });
});

describe("noiseEmbedding", () => {
  const embedding = { shape: [1, 512], data: Float32Array.from({ length: 512 }, (_, i) => i * 0.01) };

  it("matches ComfyUI_InstantID's torch noise (seed int(sum) = 1308, strength 0.35)", () => {
    const noise = noiseEmbedding(embedding, 0.35);
    expect(noise.shape).toEqual([1, 512]);
    expect(noise.data[0]).toBeCloseTo(0.15685883164405823, 7);
    expect(noise.data[2]).toBeCloseTo(0.3001903295516968, 7);
    expect(noise.data[511]).toBeCloseTo(0.22159987688064575, 7);
  });

  it("seeds a negative sum the way Python's modulo does (999998699 for -1308.16)", () => {
    const negative = { shape: [1, 512], data: embedding.data.map((v) => -v) };
    expect(noiseEmbedding(negative, 0.35).data[0]).toBeCloseTo(0.34070611000061035, 7);
  });
});
