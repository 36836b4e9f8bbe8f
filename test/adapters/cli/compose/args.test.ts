import { describe, expect, it } from "vitest";
import { parseComposeArgs } from "../../../../adapters/cli/compose/args.js";

const defaults = { negative: "", "adapter-scale": "0.8", "identitynet-scale": "0.8", start: "0", end: "1", overlap: "normalize" };

describe("parseComposeArgs", () => {
  it("pairs regions, keypoint rects and region prompts with identities in order, and spreads one scale to all", () => {
    const args = parseComposeArgs({
      ...defaults,
      identity: ["a", "b"],
      region: ["0,0,8,8", "face"],
      "kps-rect": ["1,1,4,4", "9,1,12,4"],
      "region-prompt": ["hat", ""],
      prompt: "p",
      backend: "a1111",
      "identitynet-scale": "0.5,0.7",
      size: "64x32",
    });
    expect(args.regions).toEqual([{ rect: [0, 0, 8, 8] }, { face: {} }]);
    expect(args.kpsRects).toEqual([
      [1, 1, 4, 4],
      [9, 1, 12, 4],
    ]);
    expect(args.regionPrompts).toEqual(["hat", undefined]);
    expect([args.adapterScales, args.identityNetScales, args.size]).toEqual([[0.8, 0.8], [0.5, 0.7], { width: 64, height: 32 }]);
  });

  it("needs identities, a prompt, a backend or a preview, --models with --pose, and a known overlap mode", () => {
    expect(() => parseComposeArgs({ ...defaults, prompt: "p", backend: "local" })).toThrow(/--identity/);
    expect(() => parseComposeArgs({ ...defaults, identity: ["a"], backend: "local" })).toThrow(/--prompt/);
    expect(() => parseComposeArgs({ ...defaults, identity: ["a"], prompt: "p" })).toThrow(/--backend/);
    expect(() => parseComposeArgs({ ...defaults, identity: ["a"], prompt: "p", preview: "x.png", pose: "g.jpg" })).toThrow(/--models/);
    expect(() => parseComposeArgs({ ...defaults, identity: ["a"], prompt: "p", preview: "x.png", overlap: "merge" })).toThrow(
      /normalize \| reject \| allow/,
    );
    expect(() => parseComposeArgs({ ...defaults, identity: ["a"], prompt: "p", preview: "x.png", "kps-rect": ["face"] })).toThrow(
      /--kps-rect #1/,
    );
  });

  it("reads --adapter-scale and --identitynet-scale within the SDK's strength bounds [0, 10], naming the flag", () => {
    const base = { ...defaults, identity: ["a", "b"], prompt: "p", backend: "local" };
    expect(parseComposeArgs({ ...base, "adapter-scale": "10,0" }).adapterScales).toEqual([10, 0]);
    expect(() => parseComposeArgs({ ...base, "adapter-scale": "0.5,11" })).toThrow(/a number from 0 to 10 for --adapter-scale/);
    expect(() => parseComposeArgs({ ...base, "identitynet-scale": "-1" })).toThrow(/a number from 0 to 10 for --identitynet-scale/);
  });
});
