import { readFileSync } from "node:fs";
import { readdir, truncate } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeModel, readModel } from "../../../core/onnx/index.js";
import { patchControlNetResiduals, patchImageAdapter } from "../../../core/patch/index.js";
import type { OnnxModel, OnnxValueInfo } from "../../../core/onnx/index.js";
import { externalDataLocations } from "../../../core/onnx/external-data.js";
import { decodeModel } from "../../../core/onnx/model.js";
import type { AttentionStyle } from "../../../core/graph-builder/attention-styles.js";
import { buildSyntheticUnet } from "../../../core/synthetic/unet.js";
import { writeSyntheticModel } from "../../../core/synthetic/write-model.js";
import { anonymize } from "../../helpers/anonymize.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";
import {
  imageAttentionFeeds,
  MICRO_UNET,
  outSample,
  residualFeeds,
  syntheticAdapterWeights,
  unetFeeds,
} from "../../helpers/synthetic-unet.js";
import { TorchGraph } from "../../helpers/torch-graph.js";

const H = 16;
const W = 16;
const plain = (attention: AttentionStyle = "split-heads", timestep: "float" | "int64" = "float") =>
  buildSyntheticUnet(MICRO_UNET, {}, { residualInputs: false, attention, timestep });
const withResiduals = (attention: AttentionStyle = "split-heads", timestep: "float" | "int64" = "float") =>
  buildSyntheticUnet(MICRO_UNET, {}, { residualInputs: true, attention, timestep });
// Opening a session costs most of this file's time (ONNX Runtime prepares every kernel of the graph), so the references several
// tests compare against are computed once: the export with residual inputs, per attention style and timestep, on the usual feeds.
const referenceOutputs = new Map<string, Promise<Float32Array>>();
const withResidualsOut = (attention: AttentionStyle, timestep: "float" | "int64" = "float") => {
  const key = `${attention}/${timestep}`;
  if (!referenceOutputs.has(key)) {
    const feeds = { ...unetFeeds(MICRO_UNET, H, W, timestep), ...residualFeeds(MICRO_UNET, H, W) };
    referenceOutputs.set(key, outSample(encodeModel(withResiduals(attention, timestep)), feeds));
  }
  return referenceOutputs.get(key)!;
};
const declared = (inputs: readonly OnnxValueInfo[]) =>
  Object.fromEntries(
    inputs.map((v) => [v.name, v.type?.tensorType?.shape?.dim?.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)))]),
  );

describe("patchControlNetResiduals on a UNet export without residual inputs", () => {
  // The synthetic UNet built with residual inputs adds them where diffusers does; the same weights built without them, then patched, must
  // compute the same.
  for (const [attention, timestep] of [
    ["split-heads", "float"],
    ["attn-processor", "float"],
    ["sdpa", "int64"],
    ["fused", "float"],
  ] as const) {
    it(
      `adds one input per skip and one for the mid block, computing what the export with residuals computes (${attention} ` +
        `attention, ${timestep} timestep)`,
      async () => {
        const patched = await patchControlNetResiduals(encodeModel(plain(attention, timestep)));
        expect(patched.added).toBe(true);
        expect(patched.residuals).toEqual({
          down: Array.from({ length: 9 }, (_, i) => `down_block_additional_residual_${i}`),
          mid: "mid_block_additional_residual",
        });
        const reference = withResiduals(attention, timestep);
        expect(declared(decodeModel(patched.bytes!).graph.input)).toEqual(declared(reference.graph.input));
        const feeds = { ...unetFeeds(MICRO_UNET, H, W, timestep), ...residualFeeds(MICRO_UNET, H, W) };
        assertClose(
          await outSample(patched.bytes!, feeds),
          await withResidualsOut(attention, timestep),
          { abs: 1e-5, rel: 1e-5 },
          "out_sample",
        );
      },
    );
  }

  it("finds the skips by structure alone when every name is stripped", async () => {
    const patched = await patchControlNetResiduals(encodeModel(anonymize(plain("attn-processor"))));
    const feeds = { ...unetFeeds(MICRO_UNET, H, W), ...residualFeeds(MICRO_UNET, H, W) };
    assertClose(await outSample(patched.bytes!, feeds), await withResidualsOut("attn-processor"), { abs: 1e-5, rel: 1e-5 }, "anonymous");
  });

  it("with zero residuals computes what the unpatched UNet computes", async () => {
    const { bytes } = await patchControlNetResiduals(encodeModel(plain()));
    const zeros = Object.fromEntries(
      Object.entries(residualFeeds(MICRO_UNET, H, W)).map(([name, t]) => [
        name,
        new (t.constructor as never as typeof import("onnxruntime-node").Tensor)("float32", new Float32Array(t.size), t.dims),
      ]),
    );
    assertClose(
      await outSample(bytes!, { ...unetFeeds(MICRO_UNET, H, W), ...zeros }),
      await outSample(encodeModel(plain()), unetFeeds(MICRO_UNET, H, W)),
      { abs: 1e-6 },
      "zero residuals",
    );
  });

  it("returns the names of a UNet that already takes residuals, unchanged", async () => {
    const result = await patchControlNetResiduals(encodeModel(withResiduals()));
    expect(result.added).toBe(false);
    expect(result.residuals.down).toHaveLength(9);
    expect(result.residuals.mid).toBe("mid_block_additional_residual");
  });

  it("refuses a graph with no skip connections with GRAPH_PATCH", async () => {
    const g = new TorchGraph();
    const x = g.input("sample", ["batch", 4, 8]);
    g.nodes.push({ input: [x], output: ["out_sample"], name: "id", opType: "Identity" });
    g.output("out_sample", ["batch", 4, 8]);
    await expect(patchControlNetResiduals(encodeModel(g.model()))).rejects.toMatchObject({
      code: "GRAPH_PATCH",
      message: expect.stringMatching(/no skip connections/),
    });
  });
});

describe("patchControlNetResiduals with patchImageAdapter", () => {
  const adapter = syntheticAdapterWeights(MICRO_UNET);
  const feeds = { ...unetFeeds(MICRO_UNET, H, W), ...residualFeeds(MICRO_UNET, H, W), ...imageAttentionFeeds(MICRO_UNET, 0.7) };
  // The reference (the export with residuals, patched with the image attention) is the same for named and anonymous nodes.
  let referenceMade: Promise<{ blocks: readonly { key: number; section: string }[]; expected: Float32Array }> | undefined;
  const imageReference = () => {
    referenceMade ??= patchImageAdapter(encodeModel(withResiduals("sdpa")), adapter).then(async (reference) => ({
      blocks: reference.blocks,
      expected: await outSample(reference.bytes!, feeds),
    }));
    return referenceMade;
  };

  for (const named of [true, false]) {
    it(
      `composes in either order and in one call, as the export with residuals patched with the image attention ` +
        `(${named ? "named" : "anonymous"} nodes)`,
      async () => {
        const source = () => encodeModel(named ? plain("sdpa") : anonymize(plain("sdpa")));
        const reference = await imageReference();
        const expected = reference.expected;
        const imageFirst = await patchImageAdapter(source(), adapter);
        const residualsAfter = await patchControlNetResiduals(imageFirst.bytes!);
        const residualsFirst = await patchControlNetResiduals(source());
        const imageAfter = await patchImageAdapter(residualsFirst.bytes!, adapter);
        const together = await patchImageAdapter(source(), adapter, { controlNetResiduals: true });
        expect(together.residuals).toEqual(residualsFirst.residuals);
        const sections = (blocks: readonly { key: number; section: string }[]) => blocks.map((b) => `${b.key}:${b.section}`);
        for (const result of [imageFirst, imageAfter, together]) expect(sections(result.blocks)).toEqual(sections(reference.blocks));
        for (const [what, bytes] of [
          ["image then residuals", residualsAfter.bytes!],
          ["residuals then image", imageAfter.bytes!],
          ["one call", together.bytes!],
        ] as const) {
          assertClose(await outSample(bytes, feeds), expected, { abs: 1e-5, rel: 1e-5 }, what);
        }
      },
    );
  }
});

describe("patchControlNetResiduals files", () => {
  async function externalUnet(): Promise<{ dir: string; path: string }> {
    const dir = await tempDir();
    const path = join(dir, "model.onnx");
    await writeSyntheticModel(path, plain("attn-processor"), { external: true });
    return { dir, path };
  }

  it("writes the patch beside the UNet, pointing at the original external data, and reuses it", async () => {
    const { dir, path } = await externalUnet();
    const first = await patchControlNetResiduals(path);
    expect(first.modelPath).toMatch(/model\.instantid-[0-9a-f]{16}\.onnx$/);
    expect(first.cached).toBe(false);
    expect(externalDataLocations((await readModel(first.modelPath!)).graph)).toEqual(["model.onnx.data"]);
    expect((await readdir(dir)).filter((f) => f.endsWith(".data"))).toEqual(["model.onnx.data"]);
    expect(await patchControlNetResiduals(path)).toEqual({ ...first, cached: true });
    const feeds = { ...unetFeeds(MICRO_UNET, H, W), ...residualFeeds(MICRO_UNET, H, W) };
    assertClose(
      await outSample(first.modelPath!, feeds),
      await withResidualsOut("attn-processor"),
      { abs: 1e-5, rel: 1e-5 },
      "patched file",
    );
  });

  it("writes one model with both patches, and never reads the external weights", async () => {
    const { dir, path } = await externalUnet();
    await truncate(join(dir, "model.onnx.data"), 0);
    const both = await patchImageAdapter(path, syntheticAdapterWeights(MICRO_UNET), { controlNetResiduals: true });
    const names = (await readdir(dir)).filter((f) => f.endsWith(".onnx"));
    expect(names.sort()).toEqual(["model.onnx", (both.modelPath ?? "").split("/").pop()].sort());
    expect(both.residuals?.down).toHaveLength(9);
    expect(both.blocks).toHaveLength(11);
  });

  it("returns the UNet itself when it already takes residuals", async () => {
    const dir = await tempDir();
    const path = join(dir, "unet.onnx");
    await writeSyntheticModel(path, withResiduals());
    const result = await patchControlNetResiduals(path);
    expect(result).toMatchObject({ modelPath: path, added: false });
    expect(await readdir(dir)).toEqual(["unet.onnx"]);
  });
});

describeShared("patchControlNetResiduals on the pipeline's optimum-style export", "golden/pipeline", () => {
  const unet = sharedPath("golden", "pipeline", "unet", "model.onnx");

  it("declares diffusers' nine down residuals and the mid one with the skips' channels and sizes", async () => {
    const { bytes, residuals } = await patchControlNetResiduals(readFileSync(unet));
    const inputs = declared(decodeModel(bytes!).graph.input);
    expect(residuals.down.map((n) => inputs[n])).toEqual([
      ...[1, 1, 1].map(() => ["batch", 32, "height", "width"]),
      ["batch", 32, "height/2", "width/2"],
      ["batch", 64, "height/2", "width/2"],
      ["batch", 64, "height/2", "width/2"],
      ["batch", 64, "height/4", "width/4"],
      ["batch", 64, "height/4", "width/4"],
      ["batch", 64, "height/4", "width/4"],
    ]);
    expect(inputs[residuals.mid]).toEqual(["batch", 64, "height/4", "width/4"]);
  });

  it("finds the 17 cross-attention blocks of diffusers' AttnProcessor export, also after the residual patch and without names", async () => {
    const { loadImageAdapter } = await import("../../../core/image-adapter/checkpoint.js");
    const adapter = await loadImageAdapter(sharedPath("golden", "pipeline", "ip-adapter.bin"));
    const sections = (blocks: readonly { section: string }[]) => blocks.map((b) => b.section).join(",");
    const expected = [..."dddddd"]
      .map(() => "down")
      .concat(Array(9).fill("up"), ["mid", "mid"])
      .join(",");
    const direct = await patchImageAdapter(readFileSync(unet), adapter, { controlNetResiduals: true });
    expect(sections(direct.blocks)).toBe(expected);
    expect(direct.blocks[16].module).toBe("mid_block.attentions.0.transformer_blocks.1.attn2");
    const anonymous = await patchImageAdapter(encodeModel(anonymize(decodeModel(readFileSync(unet)) as OnnxModel)), adapter, {
      controlNetResiduals: true,
    });
    expect(sections(anonymous.blocks)).toBe(expected);
  });
});
