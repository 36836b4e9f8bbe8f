import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import type { ImageAdapterWeights } from "../../../core/image-adapter/weights.js";
import { InstantIdError } from "../../../core/errors.js";
import { encodeModel, OnnxDataType } from "../../../core/onnx/index.js";
import { patchGraph } from "../../../core/patch/index.js";
import type { OnnxModel } from "../../../core/onnx/index.js";
import type { ImageAdapterGraphOptions } from "../../../core/patch/index.js";
import { floatToHalf } from "../../../core/tensor/dtype.js";
import { loadSession, runSession } from "../../../core/runtime/session.js";
import { readSafetensors } from "../../../core/tensor/safetensors.js";
import type { Tensor } from "../../../core/tensor/tensor.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath } from "../../helpers/shared.js";
import { TorchGraph } from "../../helpers/torch-graph.js";

const MODULE = "down_blocks.0.attentions.0.transformer_blocks.0.attn2";
const options = (o: Partial<ImageAdapterGraphOptions> = {}): ImageAdapterGraphOptions => ({
  identities: 1,
  masks: false,
  tokens: "inputs",
  tokenCount: 16,
  contextInput: "encoder_hidden_states",
  ...o,
});
const f32 = (data: Float32Array | number[], dims: number[]) => new ort.Tensor("float32", Float32Array.from(data), dims);

/** One torch-style attn2 block: hidden_states [B, 48, width], encoder_hidden_states [B, 77, 64] → out. */
function attentionModel(tensors: Map<string, Tensor>, prefix: string, width: number, heads: number) {
  const g = new TorchGraph();
  const x = g.input("hidden_states", ["batch", 48, width]);
  const context = g.input("encoder_hidden_states", ["batch", 77, 64]);
  const w = (name: string) => tensors.get(`${prefix}${name}`)!.data;
  const out = g.attention(MODULE, x, context, width, 64, heads, {
    toQ: w("to_q"),
    toK: w("to_k"),
    toV: w("to_v"),
    toOut: w("to_out_weight"),
    toOutBias: w("to_out_bias"),
  });
  g.nodes.push({ input: [out], output: ["out"], name: "out", opType: "Identity" });
  g.output("out", ["batch", 48, width]);
  return g.model();
}

function synthetic(widths: number[], contextDim = 64): ImageAdapterWeights {
  const layer = (w: number) => ({ shape: [w, contextDim], data: new Float32Array(w * contextDim).fill(0.01) });
  return { imageProj: new Map(), ipLayers: new Map(widths.map((w, i) => [2 * i + 1, { toK: layer(w), toV: layer(w) }])) };
}

describeShared("patchGraph on one attention block (golden/adapter)", "golden/adapter", () => {
  const cases = readSafetensors(readFileSync(sharedPath("golden/adapter/cases.safetensors"))).tensors;
  const checkpoint = readSafetensors(readFileSync(sharedPath("golden/adapter/ip-adapter.safetensors"))).tensors;
  const adapterFor = (key: number): ImageAdapterWeights => ({
    imageProj: new Map(),
    ipLayers: new Map([
      [1, { toK: checkpoint.get(`ip_adapter.${key}.to_k_ip.weight`)!, toV: checkpoint.get(`ip_adapter.${key}.to_v_ip.weight`)! }],
    ]),
  });
  const feeds = (prefix: string) => ({
    hidden_states: f32(cases.get(`${prefix}hidden_states`)!.data, cases.get(`${prefix}hidden_states`)!.shape as number[]),
    encoder_hidden_states: f32(cases.get(`${prefix}text_tokens`)!.data, [2, 77, 64]),
    ip_tokens_0: f32(cases.get(`${prefix}ip_tokens_a`)!.data, [2, 16, 64]),
  });

  for (const [key, width, heads] of [
    [3, 32, 2],
    [5, 64, 4],
  ] as const) {
    const prefix = `attn${key}_`;
    it(`adds scale · Attn(q, K_ip, V_ip) before to_out for layer ${key} (scales 0 and 0.8)`, async () => {
      const model = attentionModel(cases, prefix, width, heads);
      const { blocks } = patchGraph(model, adapterFor(key), options());
      expect(blocks).toEqual([{ key: 1, module: MODULE, section: "down", width, style: "decomposed" }]);
      const session = await loadSession(encodeModel(model), { what: "attention" });
      for (const scale of [0, 0.8]) {
        const out = await runSession(session, { ...feeds(prefix), ip_scale_0: f32([scale], [1]) }, "attention");
        assertClose(
          out.out.data as Float32Array,
          cases.get(`${prefix}out_single_scale${scale.toFixed(1)}`)!.data,
          { abs: 1e-4, rel: 1e-4 },
          `scale ${scale}`,
        );
      }
    });

    it(`sums two masked identities with their own scales for layer ${key}`, async () => {
      const model = attentionModel(cases, prefix, width, heads);
      const { inputs } = patchGraph(model, adapterFor(key), options({ identities: 2, masks: true }));
      expect(inputs).toEqual({
        tokens: ["ip_tokens_0", "ip_tokens_1"],
        scales: ["ip_scale_0", "ip_scale_1"],
        masks: ["ip_mask_0", "ip_mask_1"],
      });
      const session = await loadSession(encodeModel(model), { what: "attention" });
      const out = await runSession(
        session,
        {
          ...feeds(prefix),
          ip_tokens_1: f32(cases.get(`${prefix}ip_tokens_b`)!.data, [2, 16, 64]),
          ip_scale_0: f32([0.8], [1]),
          ip_scale_1: f32([0.6], [1]),
          ip_mask_0: f32(cases.get(`${prefix}mask_a`)!.data, [1, 1, 6, 8]),
          ip_mask_1: f32(cases.get(`${prefix}mask_b`)!.data, [1, 1, 6, 8]),
        },
        "attention",
      );
      assertClose(out.out.data as Float32Array, cases.get(`${prefix}out_two_ids`)!.data, { abs: 1e-4, rel: 1e-4 }, "two identities");
    });
  }
});

/** The same model in float16: weights, inputs and outputs (what web runners ship). */
function toFloat16(model: OnnxModel): OnnxModel {
  for (const t of model.graph.initializer) {
    if (t.dataType !== OnnxDataType.Float || !t.rawData) continue;
    const values = new Float32Array(t.rawData.slice().buffer);
    t.rawData = new Uint8Array(Uint16Array.from(values, floatToHalf).buffer);
    t.dataType = OnnxDataType.Float16;
  }
  for (const v of [...model.graph.input, ...model.graph.output]) v.type!.tensorType!.elemType = OnnxDataType.Float16;
  return model;
}

describeShared("patchGraph on a float16 attention block", "golden/adapter", () => {
  it("stores the projections in float16 and matches the float32 golden within float16 precision", async () => {
    const cases = readSafetensors(readFileSync(sharedPath("golden/adapter/cases.safetensors"))).tensors;
    const checkpoint = readSafetensors(readFileSync(sharedPath("golden/adapter/ip-adapter.safetensors"))).tensors;
    const model = toFloat16(attentionModel(cases, "attn5_", 64, 4));
    const adapter = {
      imageProj: new Map(),
      ipLayers: new Map([
        [1, { toK: checkpoint.get("ip_adapter.5.to_k_ip.weight")!, toV: checkpoint.get("ip_adapter.5.to_v_ip.weight")! }],
      ]),
    };
    patchGraph(model, adapter, options({ identities: 2, masks: true }));
    expect(model.graph.initializer.filter((t) => t.name?.startsWith("instantid.")).map((t) => t.dataType)).toEqual([
      OnnxDataType.Float16,
      OnnxDataType.Float16,
    ]);
    const half = (name: string, dims: number[]) => new ort.Tensor("float16", Uint16Array.from(cases.get(name)!.data, floatToHalf), dims);
    const session = await loadSession(encodeModel(model), { what: "float16 attention" });
    const out = await runSession(
      session,
      {
        hidden_states: half("attn5_hidden_states", [2, 48, 64]),
        encoder_hidden_states: half("attn5_text_tokens", [2, 77, 64]),
        ip_tokens_0: half("attn5_ip_tokens_a", [2, 16, 64]),
        ip_tokens_1: half("attn5_ip_tokens_b", [2, 16, 64]),
        ip_scale_0: f32([0.8], [1]),
        ip_scale_1: f32([0.6], [1]),
        ip_mask_0: f32(cases.get("attn5_mask_a")!.data, [1, 1, 6, 8]),
        ip_mask_1: f32(cases.get("attn5_mask_b")!.data, [1, 1, 6, 8]),
      },
      "float16 attention",
    );
    // runSession widens float16 outputs to float32 (the SDK computes in float32 around half-precision graphs).
    const values = out.out.data as Float32Array;
    expect(out.out.type).toBe("float32");
    assertClose(values, cases.get("attn5_out_two_ids")!.data, { abs: 1e-2, rel: 1e-2 }, "float16 two identities");
  });
});

describe("patchGraph checks the checkpoint against the graph", () => {
  const model = () => {
    const g = new TorchGraph();
    const x = g.input("hidden_states", ["batch", 4, 8]);
    const context = g.input("encoder_hidden_states", ["batch", 77, 64]);
    const w = (n: number) => new Float32Array(n).fill(0.1);
    const out = g.attention(MODULE, x, context, 8, 64, 2, { toQ: w(64), toK: w(512), toV: w(512), toOut: w(64), toOutBias: w(8) });
    g.output(out, ["batch", 4, 8]);
    return g.model();
  };

  it("refuses a checkpoint with another number of layers, saying how many it found", () => {
    expect(() => patchGraph(model(), synthetic([8, 8]), options())).toThrow(
      /Found 1 cross-attention blocks in the UNet but the Image Adapter has 2 layers/,
    );
  });

  it("refuses a checkpoint whose widths differ, naming the block", () => {
    const error = (() => {
      try {
        patchGraph(model(), synthetic([16]), options());
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InstantIdError);
    expect((error as InstantIdError).code).toBe("GRAPH_PATCH");
    expect((error as Error).message).toMatch(/down_blocks\.0\.attentions\.0\.transformer_blocks\.0\.attn2 \(processor key 1\) has width 8/);
  });

  it("names the inputs it looked for when the context input is missing", () => {
    expect(() => patchGraph(model(), synthetic([8]), options({ contextInput: "context" }))).toThrow(
      /no input named "context" \(inputs: hidden_states, encoder_hidden_states\)/,
    );
  });

  it("leaves self-attention alone (only blocks reading the context count)", () => {
    const g = new TorchGraph();
    const x = g.input("hidden_states", ["batch", 4, 8]);
    g.input("encoder_hidden_states", ["batch", 77, 64]);
    const w = (n: number) => new Float32Array(n).fill(0.1);
    const out = g.attention("down_blocks.0.attentions.0.transformer_blocks.0.attn1", x, undefined, 8, 8, 2, {
      toQ: w(64),
      toK: w(64),
      toV: w(64),
      toOut: w(64),
      toOutBias: w(8),
    });
    g.output(out, ["batch", 4, 8]);
    expect(() => patchGraph(g.model(), synthetic([8]), options())).toThrow(/Found 0 cross-attention blocks/);
  });
});

describe("patchGraph on a graph without cross-attention", () => {
  it("fails with GRAPH_PATCH even when the adapter is empty too", () => {
    const g = new TorchGraph();
    g.input("encoder_hidden_states", ["batch", 77, 64]);
    g.nodes.push({ input: ["encoder_hidden_states"], output: ["y"], name: "id", opType: "Identity" });
    g.output("y", ["batch", 77, 64]);
    expect(() => patchGraph(g.model(), { imageProj: new Map(), ipLayers: new Map() }, options())).toThrow(/Found 0 cross-attention blocks/);
  });
});
