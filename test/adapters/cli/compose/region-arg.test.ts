import { describe, expect, it } from "vitest";
import { parseRegionArg, perIdentityNumbers } from "../../../../adapters/cli/compose/region-arg.js";

describe("--region values", () => {
  it("reads rectangles, polygons, mask files, face regions and the canvas", () => {
    expect(parseRegionArg("0,0,512,1024")).toEqual({ rect: [0, 0, 512, 1024] });
    expect(parseRegionArg("poly:0,0,10,0,10,10")).toEqual({
      polygon: [
        [0, 0],
        [10, 0],
        [10, 10],
      ],
    });
    expect(parseRegionArg("mask:left.png")).toEqual({ maskFile: "left.png" });
    expect(parseRegionArg("face")).toEqual({ face: {} });
    expect(parseRegionArg("face:0.5")).toEqual({ face: { padding: 0.5 } });
    expect(parseRegionArg("canvas")).toEqual({ canvas: true });
  });

  it("refuses malformed values with the accepted forms", () => {
    expect(() => parseRegionArg("1,2,3", "--region #2")).toThrow(/x1,y1,x2,y2.*--region #2 but received "1,2,3"/);
    expect(() => parseRegionArg("poly:0,0,1,1")).toThrow(/3 or more/);
    expect(() => parseRegionArg("a,b,c,d")).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
  });

  it("per-identity numbers: one for all, or one each", () => {
    expect(perIdentityNumbers("0.8", 3, "--adapter-scale")).toEqual([0.8, 0.8, 0.8]);
    expect(perIdentityNumbers("0.8,0.6", 2, "--adapter-scale")).toEqual([0.8, 0.6]);
    expect(() => perIdentityNumbers("0.8,0.6", 3, "--adapter-scale")).toThrow(/one number, or 3/);
  });
});
