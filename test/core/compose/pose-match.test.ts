import { describe, expect, it } from "vitest";
import { assignPoseFaces, poseFacesLeftToRight } from "../../../core/compose/pose-match.js";
import type { FiveKeypoints } from "../../../core/face/types.js";

const at = (x: number): FiveKeypoints => [
  [x, 10],
  [x + 4, 10],
  [x + 2, 12],
  [x, 14],
  [x + 4, 14],
];

describe("pose faces", () => {
  it("orders faces by bbox centre, left to right, and scales keypoints to the canvas", () => {
    const pose = {
      width: 200,
      height: 100,
      faces: [
        { bbox: [120, 0, 160, 40] as const, kps: at(130) },
        { bbox: [10, 0, 50, 40] as const, kps: at(20) },
      ],
    };
    const faces = poseFacesLeftToRight(pose, { width: 100, height: 50 });
    expect(faces[0][0]).toEqual([10, 5]);
    expect(faces[1][0]).toEqual([65, 5]);
  });

  it("gives explicit indices first and the next free faces to the others, in order", () => {
    expect(assignPoseFaces([null, 0, null, undefined], 3)).toEqual([1, 0, 2, undefined]);
  });

  it("more identities than faces is a NO_FACE error saying how many of each", () => {
    expect(() => assignPoseFaces([null, null, null], 2)).toThrow(
      expect.objectContaining({ code: "NO_FACE", message: expect.stringMatching(/2 face\(s\) but 3 identities/) }),
    );
  });

  it("refuses an index out of range and a face given twice", () => {
    expect(() => assignPoseFaces([5], 2)).toThrow(/faces 0 to 1/);
    expect(() => assignPoseFaces([1, 1], 2)).toThrow(/two identities/);
  });
});
