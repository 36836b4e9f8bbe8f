import { describe, expect, it } from "vitest";
import { createComposition } from "../../../core/compose/compose.js";
import { maskBounds } from "../../../core/compose/region-mask.js";
import type { CompositionOptions } from "../../../core/compose/types.js";
import type { FiveKeypoints } from "../../../core/face/types.js";
import { createIdentity } from "../../../core/identity/identity.js";
import { renderKeypoints } from "../../../core/kps/render.js";

const person = (v: number) => createIdentity([{ embedding: new Float32Array(512).fill(v) }]);
const face = (x: number, y = 100): FiveKeypoints => [
  [x, y],
  [x + 40, y],
  [x + 20, y + 20],
  [x + 5, y + 40],
  [x + 35, y + 40],
];
const base = { width: 512, height: 256, prompt: "two friends" };
const sum = (data: Float32Array) => data.reduce((n, v) => n + v, 0);

describe("createComposition", () => {
  it("takes the strengths as adapterScale and identityNetScale within [0, 10], and refuses the old name ipScale", () => {
    const one = (extra: object) => createComposition({ ...base, identities: [{ identity: person(1), ...extra }] });
    expect(one({ adapterScale: 10, identityNetScale: 0 }).identities[0]).toMatchObject({ adapterScale: 10, identityNetScale: 0 });
    expect(() => one({ identityNetScale: 10.5 })).toThrow(/identityNetScale/);
    expect(() => one({ ipScale: 0.5 })).toThrow(/ipScale: renamed: give the strength as adapterScale/);
  });

  it("two rect regions: keypoints placed in each region's face slot, own keypoint image, defaults 0.8 and window [0, 1]", () => {
    const c = createComposition({
      ...base,
      identities: [
        { identity: person(1), region: { rect: [0, 0, 256, 256] } },
        { identity: person(2), region: { rect: [256, 0, 512, 256] }, adapterScale: 0.6 },
      ],
    });
    expect(c.warnings).toEqual([]);
    expect(c.identities.map((i) => i.name)).toEqual(["identity 1", "identity 2"]);
    const [a, b] = c.identities;
    expect(a.keypoints!.every(([x]) => x > 0 && x < 256)).toBe(true);
    expect(b.keypoints!.every(([x]) => x > 256 && x < 512)).toBe(true);
    const drawn = renderKeypoints(a.keypoints!, { width: 512, height: 256 });
    expect(Buffer.compare((a.keypointImage as typeof drawn).data, drawn.data)).toBe(0);
    expect([a.adapterScale, a.identityNetScale, a.start, a.end, b.adapterScale]).toEqual([0.8, 0.8, 0, 1, 0.6]);
    expect(maskBounds(b.mask)).toEqual([256, 0, 512, 256]);
    expect(c.negativePrompt).toBe("");
  });

  it("a single identity without region covers the whole canvas", () => {
    const c = createComposition({ ...base, identities: [{ identity: person(1) }] });
    expect(sum(c.identities[0].mask.data)).toBe(512 * 256);
  });

  it("several identities with keypoints and no region get the padded face box around their keypoints", () => {
    const c = createComposition({
      ...base,
      identities: [
        { identity: person(1), keypoints: { points: face(60) } },
        { identity: person(2), keypoints: { points: face(360) } },
      ],
    });
    const [x1, , x2] = maskBounds(c.identities[0].mask)!;
    expect(x1).toBeLessThan(60);
    expect(x2).toBeGreaterThan(100);
    expect(x2).toBeLessThan(256);
  });

  it("pose faces are matched to identities left to right, or by explicit index", () => {
    const pose = {
      width: 1024,
      height: 512,
      faces: [
        { bbox: [700, 150, 800, 300] as const, kps: face(720, 200) },
        { bbox: [100, 150, 200, 300] as const, kps: face(120, 200) },
      ],
    };
    const ltr = createComposition({ ...base, pose, identities: [{ identity: person(1) }, { identity: person(2) }] });
    expect(ltr.identities[0].keypoints![0]).toEqual([60, 100]);
    expect(ltr.identities[1].keypoints![0]).toEqual([360, 100]);
    const swapped = createComposition({
      ...base,
      pose,
      identities: [{ identity: person(1), keypoints: { poseFace: 1 } }, { identity: person(2) }],
    });
    expect(swapped.identities[0].keypoints![0]).toEqual([360, 100]);
    expect(swapped.identities[1].keypoints![0]).toEqual([60, 100]);
  });

  it("more identities than pose faces is a NO_FACE error", () => {
    const pose = { width: 512, height: 256, faces: [{ bbox: [0, 0, 50, 50] as const, kps: face(10, 10) }] };
    expect(() => createComposition({ ...base, pose, identities: [{ identity: person(1) }, { identity: person(2) }] })).toThrow(
      expect.objectContaining({ code: "NO_FACE" }),
    );
  });

  it("unused pose faces are reported as a warning", () => {
    const pose = {
      width: 512,
      height: 256,
      faces: [
        { bbox: [0, 0, 50, 50] as const, kps: face(10, 10) },
        { bbox: [300, 0, 350, 50] as const, kps: face(310, 10) },
      ],
    };
    const c = createComposition({ ...base, pose, identities: [{ identity: person(1) }] });
    expect(c.warnings.map((w) => w.code)).toEqual(["UNUSED_POSE_FACES"]);
  });

  it("a poseFace placement without a pose photo is refused", () => {
    expect(() => createComposition({ ...base, identities: [{ identity: person(1), keypoints: { poseFace: 0 } }] })).toThrow(
      /no pose photo/,
    );
  });

  it("overlapping regions are normalized by default, with a warning, and refused with overlap reject", () => {
    const identities = [
      { identity: person(1), region: { rect: [0, 0, 300, 256] as const } },
      { identity: person(2), region: { rect: [200, 0, 512, 256] as const } },
    ];
    const c = createComposition({ ...base, identities });
    expect(c.warnings.map((w) => w.code)).toEqual(["MASKS_OVERLAP"]);
    expect(c.identities[0].mask.data[250]).toBe(0.5);
    expect(c.identities[1].mask.data[250]).toBe(0.5);
    expect(() => createComposition({ ...base, identities, overlap: "reject" })).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }));
  });

  it("an empty region (outside the canvas) is an error with reason EMPTY_MASK", () => {
    const options: CompositionOptions = {
      ...base,
      identities: [{ identity: person(1), keypoints: { points: face(10) }, region: { rect: [600, 0, 700, 100] } }],
    };
    expect(() => createComposition(options)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ reason: "EMPTY_MASK" }) }),
    );
  });

  it("keypoints outside their region are a warning, not an error", () => {
    const c = createComposition({
      ...base,
      identities: [
        { identity: person(1), keypoints: { points: face(300) }, region: { rect: [0, 0, 256, 256] } },
        { identity: person(2), region: { rect: [256, 0, 512, 256] } },
      ],
    });
    expect(c.warnings).toEqual([expect.objectContaining({ code: "KEYPOINTS_OUTSIDE_REGION", identity: 0 })]);
  });

  it("a region reaching past the canvas is clipped with a REGION_CLIPPED warning naming the identity", () => {
    const c = createComposition({
      ...base,
      identities: [
        { identity: person(1), region: { rect: [0, 0, 256, 256] } },
        { identity: person(2), region: { rect: [256, 0, 700, 256] } },
      ],
    });
    expect(c.warnings).toEqual([expect.objectContaining({ code: "REGION_CLIPPED", identity: 1 })]);
    expect(c.identities[1].mask.width).toBe(512);
  });

  it("a keypoints rect fits the identity's face there", () => {
    const c = createComposition({ ...base, identities: [{ identity: person(1), keypoints: { rect: [100, 50, 200, 150] } }] });
    expect(c.identities[0].keypoints!.every(([x, y]) => x > 100 && x < 200 && y > 50 && y < 150)).toBe(true);
  });

  it("a ready-made keypoint image must have the canvas size, and leaves the keypoints unknown", () => {
    const image = { shape: [1, 3, 256, 512], data: new Float32Array(3 * 256 * 512) };
    const c = createComposition({ ...base, identities: [{ identity: person(1), keypoints: { image } }] });
    expect(c.identities[0].keypointImage).toBe(image);
    expect(c.identities[0].keypoints).toBeUndefined();
    expect(() =>
      createComposition({
        ...base,
        identities: [{ identity: person(1), keypoints: { image: { width: 10, height: 10, data: new Uint8Array(300) } } }],
      }),
    ).toThrow(/10x10 but the canvas is 512x256/);
    expect(() => createComposition({ ...base, identities: [{ identity: person(1), keypoints: { image }, region: { face: {} } }] })).toThrow(
      /needs keypoints/,
    );
  });

  it("several identities with neither keypoints nor region are refused with what to give", () => {
    expect(() => createComposition({ ...base, identities: [{ identity: person(1) }, { identity: person(2) }] })).toThrow(
      /neither keypoints nor a region/,
    );
  });

  it("malformed options are one INVALID_OPTION error listing the paths", () => {
    const bad = {
      ...base,
      width: 0,
      identities: [{ identity: person(1), adapterScale: -1, start: 0.8, end: 0.2, region: { rect: [10, 10, 5, 5] } }],
    };
    expect(() => createComposition(bad as unknown as CompositionOptions)).toThrow(
      expect.objectContaining({
        code: "INVALID_OPTION",
        message: expect.stringMatching(/width.*identities\.0\.region.*identities\.0\.adapterScale/s),
      }),
    );
    expect(() => createComposition({ ...base, identities: [] })).toThrow(/identities/);
    expect(() => createComposition({ ...base, width: 100, identities: [{ identity: person(1) }] })).toThrow(
      /width: must be a multiple of 8/,
    );
    expect(() => createComposition({ ...base, identities: [{ identity: {} as never }] })).toThrow(/an Identity/);
  });

  it("polygon and per-region prompt are carried through", () => {
    const c = createComposition({
      ...base,
      identities: [
        {
          identity: person(1),
          region: {
            polygon: [
              [0, 0],
              [256, 0],
              [256, 256],
            ],
          },
          prompt: "red hat",
        },
      ],
    });
    expect(c.identities[0].prompt).toBe("red hat");
    expect(sum(c.identities[0].mask.data)).toBeGreaterThan(30000);
    expect(sum(c.identities[0].mask.data)).toBeLessThan(34000);
  });
});
