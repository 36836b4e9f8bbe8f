import { describe, expect, it } from "vitest";
import { ErrorCode, InstantIdError } from "../../../core/errors.js";
import { groupScrfdOutputs, type RawOutput } from "../../../core/face/scrfd-outputs.js";

/** Unnamed outputs for a 64x64 input, each filled with a value that says which one it is. */
function outputs(batched: boolean, drop?: number): RawOutput[] {
  const list: RawOutput[] = [];
  for (const [k, width] of [1, 4, 10].entries()) {
    for (const [s, stride] of [8, 16, 32].entries()) {
      const rows = (64 / stride) ** 2 * 2;
      const id = k * 3 + s;
      list.push({ name: String(id), shape: batched ? [1, rows, width] : [rows, width], data: new Float32Array(rows * width).fill(id) });
    }
  }
  return list.filter((_, i) => i !== drop);
}

describe("groupScrfdOutputs", () => {
  it("assigns unnamed outputs to strides by row count, batched or not, in any order", () => {
    for (const batched of [false, true]) {
      const heads = groupScrfdOutputs(outputs(batched).reverse(), 64, 64);
      expect(heads.map((h) => h.stride)).toEqual([8, 16, 32]);
      heads.forEach((h, s) => {
        expect([h.scores[0], h.boxes[0], h.kps[0]]).toEqual([s, 3 + s, 6 + s]);
      });
    }
  });

  it("uses score_/bbox_/kps_ names when present", () => {
    const named = outputs(false).map((o, i) => ({ ...o, name: `${["score", "bbox", "kps"][Math.floor(i / 3)]}_${[8, 16, 32][i % 3]}` }));
    expect(groupScrfdOutputs(named, 64, 64)[2].kps[0]).toBe(8);
  });

  it("says which output is missing and what it found", () => {
    const error = (() => {
      try {
        groupScrfdOutputs(outputs(false, 7), 64, 64);
      } catch (e) {
        return e as InstantIdError;
      }
    })();
    expect(error).toBeInstanceOf(InstantIdError);
    expect(error!.code).toBe(ErrorCode.ModelInvalid);
    expect(error!.message).toContain("no kps output for stride 16");
  });
});
