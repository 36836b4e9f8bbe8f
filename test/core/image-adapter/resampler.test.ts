import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { Resampler } from "../../../core/image-adapter/resampler.js";
import { inferResamplerConfig } from "../../../core/image-adapter/resampler-config.js";
import { loadImageAdapter } from "../../../core/image-adapter/checkpoint.js";
import { readSafetensors } from "../../../core/tensor/safetensors.js";
import { tensor, type Tensor } from "../../../core/tensor/tensor.js";
import { floatToHalf, halfToFloat } from "../../../core/tensor/dtype.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath } from "../../helpers/shared.js";

const TOL = { abs: 1e-4, rel: 1e-4 };

describeShared("Resampler against the reference outputs", "golden/adapter", () => {
  const golden = (name: string) => sharedPath("golden", "adapter", name);
  let cases: Map<string, Tensor>;
  let heads: number;

  const load = async (file: string) => {
    cases ??= readSafetensors(await readFile(golden("cases.safetensors"))).tensors;
    heads ??= JSON.parse(await readFile(golden("cases.json"), "utf8")).resampler_config.heads;
    return Resampler.fromWeights((await loadImageAdapter(golden(file))).imageProj, { heads });
  };

  it("infers the reference configuration from tensor shapes (heads given)", async () => {
    const resampler = await load("ip-adapter.bin");
    const expected = JSON.parse(await readFile(golden("cases.json"), "utf8")).resampler_config;
    expect(resampler.config).toEqual({
      dim: expected.dim,
      depth: expected.depth,
      dimHead: expected.dim_head,
      heads: expected.heads,
      numQueries: expected.num_queries,
      embeddingDim: expected.embedding_dim,
      outputDim: expected.output_dim,
      ffInner: expected.dim * expected.ff_mult,
    });
  });

  for (const name of ["single", "zero", "batch"]) {
    it(`matches tokens_${name} within 1e-4`, async () => {
      const resampler = await load("ip-adapter.bin");
      const out = await resampler.run(cases.get(`emb_${name}`)!);
      expect(out.shape).toEqual(cases.get(`tokens_${name}`)!.shape);
      assertClose(out.data, cases.get(`tokens_${name}`)!.data, TOL, `tokens_${name}`);
    });
  }

  it("gives the same tokens from ip-adapter.fp16.bin as from the float32 weights rounded to float16", async () => {
    const fromHalf = await load("ip-adapter.fp16.bin");
    const full = (await loadImageAdapter(golden("ip-adapter.bin"))).imageProj;
    const rounded = new Map([...full].map(([name, t]) => [name, { shape: t.shape, data: t.data.map((v) => halfToFloat(floatToHalf(v))) }]));
    const expected = await Resampler.fromWeights(rounded, { heads }).run(cases.get("emb_single")!);
    assertClose((await fromHalf.run(cases.get("emb_single")!)).data, expected.data, { abs: 1e-5 }, "fp16 tokens");
  });
});

describe("inferResamplerConfig", () => {
  const shapes = (inner: number) =>
    new Map<string, Tensor>([
      ["latents", tensor([1, 16, 1280])],
      ["proj_in.weight", tensor([1280, 512])],
      ["proj_out.weight", tensor([2048, 1280])],
      ["layers.0.0.to_q.weight", tensor([inner, 1280])],
      ["layers.1.0.to_q.weight", tensor([inner, 1280])],
      ["layers.0.1.1.weight", tensor([5120, 1280])],
    ]);

  it("assumes dim_head 64 by default, InstantID's 20 heads for width 1280", () => {
    expect(inferResamplerConfig(shapes(1280))).toMatchObject({
      heads: 20,
      dimHead: 64,
      depth: 2,
      numQueries: 16,
      embeddingDim: 512,
      outputDim: 2048,
      ffInner: 5120,
    });
  });

  it("refuses a head count that does not divide the attention width", () => {
    expect(() => inferResamplerConfig(shapes(1280), { heads: 7 })).toThrow(/cannot be split into 7 heads/);
  });
});
