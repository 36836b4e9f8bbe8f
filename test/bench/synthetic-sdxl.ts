import { buildModel, GraphBuilder } from "../helpers/onnx-graph.js";

// A synthetic UNet and ControlNet with SDXL's skip layout (REFERENCE.md: 3 × 320 @ h, 320 @ h/2,
// 2 × 640 @ h/2, 640 @ h/4, 2 × 1280 @ h/4, mid 1280 @ h/4) and roughly SDXL's proportions: the
// ControlNet is the UNet's down path and mid block plus 1×1 zero convolutions; the UNet adds the up
// path (SDXL: three resnet+attention blocks per level on the concatenated skip, here four 1×1
// convolutions per skip). Down blocks are two 1×1 convolutions ("resnets") so the models stay small;
// the ControlNet then costs about half a UNet, as SDXL's (1.25 B vs 2.6 B parameters).

const DOWN: readonly (readonly [channels: number, stride: number])[] = [
  [320, 1], [320, 1], [320, 1], [320, 2], [640, 1], [640, 1], [640, 2], [1280, 1], [1280, 1],
];

/** Shapes of the nine down residuals and the mid residual for a latent of `size`. */
export function residualShapes(size: number): number[][] {
  let side = size;
  const down = DOWN.map(([channels, stride]) => ((side /= stride), [channels, side]));
  return [...down, [1280, side]];
}

function downPath(b: GraphBuilder, x: string, size: number, addEach?: (i: number, h: string) => string): { skips: string[]; mid: string } {
  const skips: string[] = [];
  let channels = 320;
  let h = x;
  DOWN.forEach(([out, stride], i) => {
    h = b.conv(b.node("Relu", [b.conv(h, channels, out, stride, stride)]), out, out);
    channels = out;
    skips.push(addEach ? addEach(i, h) : h);
  });
  void size;
  return { skips, mid: b.conv(h, 1280, 1280) };
}

function standardInputs(b: GraphBuilder, size: number, tokens: number): string {
  const sample = b.input("sample", ["batch", 4, size, size]);
  b.input("timestep", [1]);
  b.input("encoder_hidden_states", ["batch", tokens, 2048]);
  b.input("text_embeds", ["batch", 1280]);
  b.input("time_ids", ["batch", 6]);
  return sample;
}

/** The synthetic UNet (sample, timestep, encoder_hidden_states, text_embeds, time_ids, 9 + 1 residual inputs → out_sample). */
export function syntheticUnet(size: number): Uint8Array {
  const b = new GraphBuilder();
  const sample = standardInputs(b, size, 77);
  const shapes = residualShapes(size);
  const residual = (i: number) => b.input(i < 9 ? `down_block_additional_residual_${i}` : "mid_block_additional_residual", ["batch", shapes[i][0], shapes[i][1], shapes[i][1]]);
  const h0 = b.conv(sample, 4, 320, 1, 1);
  const { skips, mid } = downPath(b, h0, size, (i, h) => b.node("Add", [h, residual(i)]));
  let u = b.node("Add", [mid, residual(9)]);
  let channels = 1280;
  for (let i = 8; i >= 0; i--) {
    const skipChannels = shapes[i][0];
    const out = i >= 6 ? 1280 : i >= 3 ? 640 : 320;
    u = b.conv(b.node("Concat", [u, skips[i]], [{ name: "axis", type: 2, i: 1 }]), channels + skipChannels, out);
    for (let k = 0; k < 3; k++) u = b.conv(b.node("Relu", [u]), out, out);
    channels = out;
    if (i === 6 || i === 3) u = b.upsample(u, 2);
  }
  b.conv(u, 320, 4, 1, 1, "out_sample");
  b.output("out_sample", ["batch", 4, size, size]);
  return buildModel(b.graph);
}

/** The synthetic ControlNet (the UNet's inputs with 16 face tokens, plus controlnet_cond at 8× → 9 + 1 residuals). */
export function syntheticControlNet(size: number): Uint8Array {
  const b = new GraphBuilder();
  const sample = standardInputs(b, size, 16);
  const cond = b.input("controlnet_cond", ["batch", 3, size * 8, size * 8]);
  const h0 = b.node("Add", [b.conv(sample, 4, 320), b.conv(cond, 3, 320, 8, 8)]);
  const { skips, mid } = downPath(b, h0, size);
  const shapes = residualShapes(size);
  skips.forEach((s, i) => {
    b.conv(s, shapes[i][0], shapes[i][0], 1, 1, `down_block_res_sample_${i}`);
    b.output(`down_block_res_sample_${i}`, ["batch", shapes[i][0], shapes[i][1], shapes[i][1]]);
  });
  b.conv(mid, 1280, 1280, 1, 1, "mid_block_res_sample");
  b.output("mid_block_res_sample", ["batch", 1280, shapes[9][1], shapes[9][1]]);
  return buildModel(b.graph);
}
