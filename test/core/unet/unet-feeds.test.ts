import { describe, expect, it } from "vitest";
import type { StepContext } from "../../../core/hooks/types.js";
import { unetStepFeeds } from "../../../core/unet/unet-feeds.js";
import type { UnetResidualInputs } from "../../../core/unet/residual-inputs.js";
import { tensor } from "../../../core/tensor/tensor.js";

const step: StepContext = {
  index: 0,
  total: 1,
  sample: tensor([2, 4, 8, 8]),
  timestep: tensor([1], [500]),
  promptEmbeds: tensor([2, 77, 4]),
  textEmbeds: tensor([2, 2]),
  timeIds: tensor([2, 6]),
};
const residualInputs: UnetResidualInputs = {
  names: { down: ["d0", "d1"], mid: "m" },
  down: [
    ["batch", 3, 8, 8],
    ["batch", 5, "h", "w"],
  ],
  mid: ["batch", 5, 4, 4],
};

describe("unetStepFeeds", () => {
  it("passes the step's tensors and the hooks' inputs and residuals through by name, uncopied", () => {
    const residuals = { down: [tensor([2, 3, 8, 8]), tensor([2, 5, 4, 4])], mid: tensor([2, 5, 4, 4]) };
    const extra = tensor([1], [0.8]);
    const feeds = unetStepFeeds(step, { inputs: { ip_scale_0: extra }, residuals }, residualInputs);
    expect(feeds.sample).toBe(step.sample);
    expect(feeds.encoder_hidden_states).toBe(step.promptEmbeds);
    expect(feeds.ip_scale_0).toBe(extra);
    expect(feeds.d0).toBe(residuals.down[0]);
    expect(feeds.m).toBe(residuals.mid);
  });

  it("feeds zeros of the declared shapes when no ControlNet is active", () => {
    const feeds = unetStepFeeds({ ...step, sample: tensor([2, 4, 8, 8]) }, undefined, {
      ...residualInputs,
      down: [
        ["batch", 3, 8, 8],
        ["batch", 5, 4, 4],
      ],
    });
    expect(feeds.d1.shape).toEqual([2, 5, 4, 4]);
    expect(feeds.m.data.every((v) => v === 0)).toBe(true);
  });

  it("allocates the zero residuals once per UNet and latent shape and feeds the same buffers to every later call", () => {
    const unet: UnetResidualInputs = {
      ...residualInputs,
      down: [
        ["batch", 3, 8, 8],
        ["batch", 5, 4, 4],
      ],
    };
    const first = unetStepFeeds(step, undefined, unet);
    const second = unetStepFeeds({ ...step, index: 1 }, undefined, unet);
    expect(second.d0.data).toBe(first.d0.data);
    expect(second.m.data).toBe(first.m.data);
    const larger = unetStepFeeds({ ...step, sample: tensor([1, 4, 8, 8]) }, undefined, unet);
    expect(larger.d0.shape).toEqual([1, 3, 8, 8]);
    expect(larger.d0.data).not.toBe(first.d0.data);
  });

  it("says which size it cannot tell when a non-SDXL graph leaves residual sizes open", () => {
    expect(() => unetStepFeeds(step, {}, residualInputs)).toThrow(
      /Cannot tell the size of dimension 2 of UNet input d1 \[batch, 5, h, w\]/,
    );
  });

  it("sizes open SDXL residual dimensions from the latent: 1, 1/2, 1/4 and mid at 1/4", () => {
    const channels = [320, 320, 320, 320, 640, 640, 640, 1280, 1280];
    const sdxl: UnetResidualInputs = {
      names: { down: channels.map((_, i) => `d${i}`), mid: "m" },
      down: channels.map((c) => ["batch", c, "h", "w"]),
      mid: ["batch", 1280, "h", "w"],
    };
    const feeds = unetStepFeeds({ ...step, sample: tensor([2, 4, 16, 12]) }, undefined, sdxl);
    expect(channels.map((_, i) => feeds[`d${i}`].shape.slice(2))).toEqual([
      [16, 12],
      [16, 12],
      [16, 12],
      [8, 6],
      [8, 6],
      [8, 6],
      [4, 3],
      [4, 3],
      [4, 3],
    ]);
    expect(feeds.m.shape).toEqual([2, 1280, 4, 3]);
  });

  it("omits residual feeds for a UNet without residual inputs", () => {
    expect(Object.keys(unetStepFeeds(step, undefined)).sort()).toEqual([
      "encoder_hidden_states",
      "sample",
      "text_embeds",
      "time_ids",
      "timestep",
    ]);
  });
});
