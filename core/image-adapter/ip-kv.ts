import { ErrorCode, InstantIdError } from "../errors.js";
import { assertShape, type Tensor } from "../tensor/tensor.js";
import { float32Tensor, intAttribute, tensorValueInfo } from "../onnx/graph.js";
import type { OnnxModel } from "../onnx/model.js";
import { ThreadSession } from "../runtime/session-thread.js";
import { linear } from "./linear.js";
import { crossAttentionSites, SDXL_UNET, type CrossAttentionSite, type UNetDescription } from "./unet-layout.js";
import type { ImageAdapterWeights, IpLayerWeights } from "./weights.js";

/** The precomputed image keys and values of one cross-attention layer. */
export interface IpLayerKV extends CrossAttentionSite {
  /** K_ip = tokens · W_k_ipᵀ, [B, tokens, width]. */
  readonly k: Tensor;
  /** V_ip = tokens · W_v_ipᵀ, [B, tokens, width]. */
  readonly v: Tensor;
}

/**
 * Every layer's K/V projections as one ONNX graph: `tokens` [rows, ctx] → `k_<key>`, `v_<key>`
 * [rows, width], each a Gemm on the weight as PyTorch stores it (transB), the weights initializers
 * so ONNX Runtime packs them once for its SGEMM instead of on every call.
 */
function ipKvGraph(layers: readonly { site: CrossAttentionSite; layer: IpLayerWeights }[], ctx: number): OnnxModel {
  const graph: OnnxModel["graph"] = {
    name: "ip_kv",
    node: [],
    initializer: [],
    input: [tensorValueInfo("tokens", ["rows", ctx])],
    output: [],
  };
  for (const { site, layer } of layers) {
    for (const [kind, weight] of [
      ["k", layer.toK],
      ["v", layer.toV],
    ] as const) {
      const name = `${kind}_${site.key}`;
      graph.initializer.push({ ...float32Tensor(weight.data, [site.width, ctx]), name: `${name}.weight` });
      graph.node.push({
        input: ["tokens", `${name}.weight`],
        output: [name],
        name,
        opType: "Gemm",
        attribute: [intAttribute("transB", 1)],
      });
      graph.output.push(tensorValueInfo(name, ["rows", site.width]));
    }
  }
  return { irVersion: 8, opsetImport: [{ domain: "", version: 17 }], producerName: "instantid", graph };
}

/** One K/V session per checkpoint and UNet layout, opened on first use, released when the checkpoint is collected. */
const kvSessions = new WeakMap<ImageAdapterWeights, Map<string, Promise<ThreadSession>>>();
const releaseWhenCollected = new FinalizationRegistry<Promise<ThreadSession>>(
  (session) =>
    void session.then(
      (s) => s.release(),
      () => undefined,
    ),
);

function kvSession(
  weights: ImageAdapterWeights,
  layers: readonly { site: CrossAttentionSite; layer: IpLayerWeights }[],
  ctx: number,
): Promise<ThreadSession> {
  let byLayout = kvSessions.get(weights);
  if (!byLayout) kvSessions.set(weights, (byLayout = new Map()));
  const key = `${ctx}:${layers.map(({ site }) => `${site.key}/${site.width}`).join(",")}`;
  let session = byLayout.get(key);
  if (!session) {
    const opened = ThreadSession.fromGraph(ipKvGraph(layers, ctx), { what: "Image Adapter K/V projections" });
    opened.catch(() => byLayout.delete(key));
    byLayout.set(key, (session = opened));
    releaseWhenCollected.register(weights, opened);
  }
  return session;
}

/**
 * K_ip and V_ip of every cross-attention layer for image tokens [B, 16, ctx]: computed once per
 * generation (they do not depend on the step), keyed by processor key, each with its module path.
 * Every layer is checked before any product runs. The products run as one ONNX graph with the
 * weights as initializers (packed once by ONNX Runtime, on first use per checkpoint: that first call
 * also opens the session), on the SDK's session thread, so the event loop is never blocked.
 *
 * @example
 * const kv = await precomputeIpKV(weights, tokens); // SDXL: 70 layers, keys 1, 3, ..., 139
 * kv.get(1)?.modulePath; // "down_blocks.1.attentions.0.transformer_blocks.0.attn2"
 */
export async function precomputeIpKV(
  weights: ImageAdapterWeights,
  tokens: Tensor,
  unet: UNetDescription = SDXL_UNET,
): Promise<Map<number, IpLayerKV>> {
  assertShape(tokens, [-1, -1, -1], "image tokens [batch, tokens, dim]");
  const ctx = tokens.shape[2];
  const layers = crossAttentionSites(unet).map((site) => {
    const layer = weights.ipLayers.get(site.key);
    if (!layer) {
      throw new InstantIdError(
        ErrorCode.ModelInvalid,
        `The Image Adapter has no projections for processor key ${site.key} (${site.modulePath}); the checkpoint does not match ` +
          `this UNet (it has keys ${[...weights.ipLayers.keys()].slice(0, 6).join(", ")}...)`,
      );
    }
    assertShape(layer.toK, [site.width, ctx], `ip_adapter.${site.key}.to_k_ip.weight`);
    assertShape(layer.toV, [site.width, ctx], `ip_adapter.${site.key}.to_v_ip.weight`);
    return { site, layer };
  });
  const [batch, count] = tokens.shape;
  const session = await kvSession(weights, layers, ctx);
  const outputs = await session.run({ tokens: { shape: [batch * count, ctx], data: tokens.data } });
  const out = new Map<number, IpLayerKV>();
  for (const { site } of layers) {
    const shape = [batch, count, site.width];
    out.set(site.key, { ...site, k: { shape, data: outputs[`k_${site.key}`].data }, v: { shape, data: outputs[`v_${site.key}`].data } });
  }
  return out;
}

/** K_ip and V_ip of one layer: image tokens [B, T, ctx] through its to_k_ip / to_v_ip projections. */
export function projectIpTokens(layer: IpLayerWeights, tokens: Tensor): { k: Tensor; v: Tensor } {
  const [batch, count] = tokens.shape;
  const [width] = layer.toK.shape;
  const rows = batch * count;
  return {
    k: { shape: [batch, count, width], data: linear(tokens.data, rows, layer.toK.data, width) },
    v: { shape: [batch, count, width], data: linear(tokens.data, rows, layer.toV.data, width) },
  };
}
