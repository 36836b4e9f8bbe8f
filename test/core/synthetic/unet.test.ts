import { describe, expect, it } from "vitest";
import { crossAttentionSites, SDXL_UNET } from "../../../core/image-adapter/unet-layout.js";
import { findCrossAttention } from "../../../core/patch/attention-sites.js";
import { GraphEditor } from "../../../core/onnx/graph.js";
import { assignProcessorKeys } from "../../../core/patch/processor-order.js";
import { buildSyntheticUnet } from "../../../core/synthetic/unet.js";
import { describeSyntheticUnet, downSkips, SDXL_WIDTH_UNET, TINY_UNET } from "../../../core/synthetic/unet-config.js";

const SDXL_FULL_DEPTH = { ...SDXL_WIDTH_UNET, transformerLayers: [0, 2, 10] as const };

describe("buildSyntheticUnet", () => {
  it("at SDXL's widths and depths describes SDXL's 70 cross-attention layers, keys and widths", () => {
    expect(crossAttentionSites(describeSyntheticUnet(SDXL_FULL_DEPTH))).toEqual(crossAttentionSites(SDXL_UNET));
  });

  it("has SDXL's nine down-block skips (3 × 320 @ h, 320 @ h/2, 2 × 640 @ h/2, 640 @ h/4, 2 × 1280 @ h/4)", () => {
    expect(downSkips(SDXL_WIDTH_UNET).map((s) => [s.channels, s.scale])).toEqual([
      [320, 1],
      [320, 1],
      [320, 1],
      [320, 2],
      [640, 2],
      [640, 2],
      [640, 4],
      [1280, 4],
      [1280, 4],
    ]);
  });

  it("a virtual SDXL of full depth (sizes only) has the exporter's module-scoped attn2 blocks the patcher keys in diffusers order", () => {
    const model = buildSyntheticUnet(SDXL_FULL_DEPTH, { virtual: true, externalFile: "unet.onnx.data" });
    expect(model.graph.node.length).toBeGreaterThan(6000);
    expect(model.graph.initializer.every((t) => !t.rawData?.byteLength || t.rawData.byteLength <= 8)).toBe(true);
    const editor = new GraphEditor(model.graph);
    const keyed = assignProcessorKeys(editor, findCrossAttention(editor, "encoder_hidden_states"));
    const expected = crossAttentionSites(SDXL_UNET);
    expect(keyed.map((k) => [k.key, k.module, k.site.width, k.site.contextDim])).toEqual(
      expected.map((s) => [s.key, s.modulePath, s.width, 2048]),
    );
  });

  it("symbolic spatial sizes when the config fixes none, numbers when it does", () => {
    const dims = (config: typeof TINY_UNET) => buildSyntheticUnet(config, { virtual: true }).graph.input[0].type!.tensorType!.shape!.dim!;
    expect(dims(TINY_UNET).map((d) => d.dimValue ?? d.dimParam)).toEqual(["batch", 4, "height", "width"]);
    expect(dims({ ...TINY_UNET, latentSize: { height: 24, width: 40 } }).map((d) => d.dimValue ?? d.dimParam)).toEqual([
      "batch",
      4,
      24,
      40,
    ]);
  });
});
