import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ConformanceKind } from "./kind.js";
import { loadImageAdapter } from "../image-adapter/checkpoint.js";
import { openCheckpoint } from "../checkpoint/open-checkpoint.js";
import { InstantIdError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { readSafetensors, writeSafetensors } from "../tensor/safetensors.js";
import type { Tensor } from "../tensor/tensor.js";
import { imageAttention, type IpIdentity } from "../image-adapter/image-attention.js";
import { projectIpTokens } from "../image-adapter/ip-kv.js";
import { linear } from "../image-adapter/linear.js";
import { attendHeads } from "../image-adapter/multi-head-attention.js";
import { addInPlace } from "../image-adapter/ops.js";
import { Resampler } from "../image-adapter/resampler.js";

interface AttentionCase {
  processor_key: number;
  heads: number;
  prefix: string;
  single_scales: number[];
  two_ids: { scale_a: number; scale_b: number };
}

/** A whole reference cross-attention layer: to_out(Attn(q, K_text, V_text) + image term), as the golden cases define it. */
function crossAttentionLayer(cases: Map<string, Tensor>, prefix: string, heads: number, identities: (q: Tensor) => IpIdentity[]): Tensor {
  const get = (name: string) => cases.get(`${prefix}${name}`)!;
  const hidden = get("hidden_states");
  const text = get("text_tokens");
  const [batch, queries, width] = hidden.shape;
  const tokens = text.shape[1];
  const q: Tensor = { shape: hidden.shape, data: linear(hidden.data, batch * queries, get("to_q").data, width) };
  const k = linear(text.data, batch * tokens, get("to_k").data, width);
  const v = linear(text.data, batch * tokens, get("to_v").data, width);
  const attended = new Float32Array(q.data.length);
  const headDim = width / heads;
  for (let b = 0; b < batch; b++) {
    const side = (data: Float32Array, row: number) => ({ data, row, stride: width, offset: 0 });
    attendHeads(
      side(q.data, b * queries),
      side(k, b * tokens),
      side(v, b * tokens),
      queries,
      tokens,
      heads,
      headDim,
      1 / Math.sqrt(headDim),
      attended,
      b * queries,
    );
  }
  addInPlace(attended, imageAttention(q, heads, identities(q)).data);
  return { shape: hidden.shape, data: linear(attended, batch * queries, get("to_out_weight").data, width, get("to_out_bias").data) };
}

async function refusalOf(path: string): Promise<{ refused: boolean; message: string }> {
  try {
    const checkpoint = await openCheckpoint(path);
    await checkpoint.close();
    return { refused: false, message: "the checkpoint was accepted" };
  } catch (error) {
    return { refused: error instanceof InstantIdError && error.code === "UNSAFE_CHECKPOINT", message: (error as Error).message };
  }
}

/**
 * Conformance kind `adapter`: Resampler tokens from each checkpoint format, decoupled cross-attention, and the malicious-checkpoint
 * refusal.
 */
export const adapterConformance: ConformanceKind = {
  name: "adapter",
  description:
    "Image Adapter: checkpoint loading (torch zip fp32/fp16, safetensors), Resampler tokens, decoupled cross-attention, unsafe " +
    "pickle refusal",
  async run({ caseDir, outDir, onProgress }) {
    const about = JSON.parse(await readFile(join(caseDir, "cases.json"), "utf8"));
    const cases = readSafetensors(await readFile(join(caseDir, "cases.safetensors"))).tensors;
    const heads = about.resampler_config?.heads;
    const results = new Map<string, Tensor>();
    onProgress?.("loading ip-adapter.bin");
    const weights = await loadImageAdapter(join(caseDir, "ip-adapter.bin"));
    const resampler = Resampler.fromWeights(weights.imageProj, { heads });
    for (const name of ["single", "zero", "batch"]) results.set(`tokens_${name}`, await resampler.run(cases.get(`emb_${name}`)!));
    await resampler.release();
    for (const [file, name] of [
      ["ip-adapter.fp16.bin", "tokens_single_fp16"],
      ["ip-adapter.safetensors", "tokens_single_safetensors"],
    ]) {
      onProgress?.(`loading ${file}`);
      const other = Resampler.fromWeights((await loadImageAdapter(join(caseDir, file))).imageProj, { heads });
      results.set(name, await other.run(cases.get("emb_single")!));
      await other.release();
    }
    const attentionCases: AttentionCase[] = about.attention_cases;
    for (const c of attentionCases) {
      onProgress?.(`attention layer ${c.processor_key}`);
      const layer = weights.ipLayers.get(c.processor_key)!;
      const a = projectIpTokens(layer, cases.get(`${c.prefix}ip_tokens_a`)!);
      const b = projectIpTokens(layer, cases.get(`${c.prefix}ip_tokens_b`)!);
      for (const scale of c.single_scales) {
        results.set(
          `${c.prefix}out_single_scale${pythonFloat(scale)}`,
          crossAttentionLayer(cases, c.prefix, c.heads, () => [{ ...a, scale }]),
        );
      }
      const maskA = cases.get(`${c.prefix}mask_a`)!.data;
      const maskB = cases.get(`${c.prefix}mask_b`)!.data;
      results.set(
        `${c.prefix}out_two_ids`,
        crossAttentionLayer(cases, c.prefix, c.heads, () => [
          { ...a, scale: c.two_ids.scale_a, mask: maskA },
          { ...b, scale: c.two_ids.scale_b, mask: maskB },
        ]),
      );
    }
    await writeSafetensors(join(outDir, "results.safetensors"), results);
    const malicious = await refusalOf(join(caseDir, "malicious.bin"));
    await writeFileAtomic(join(outDir, "results.json"), `${JSON.stringify({ malicious }, null, 1)}\n`);
    return { cases: results.size + 1, files: ["results.safetensors", "results.json"] };
  },
};

/** A number as Python's str(float) writes it (0.0, 0.8), the form the case names use. */
function pythonFloat(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}
