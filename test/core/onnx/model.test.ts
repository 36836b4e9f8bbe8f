import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeModel, encodeModel } from "../../../core/onnx/index.js";
import { describeShared, sharedPath } from "../../helpers/shared.js";
import { TorchGraph } from "../../helpers/torch-graph.js";

describeShared("ONNX model round trip on exported UNets", "golden/unet", () => {
  for (const variant of ["golden", "golden-anon", "golden-fused"]) {
    it(`re-encodes ${variant}/unet/unet.onnx byte for byte`, () => {
      const bytes = readFileSync(sharedPath(variant, "unet", "unet.onnx"));
      expect(Buffer.from(encodeModel(decodeModel(bytes))).equals(bytes)).toBe(true);
    });
  }
});

describe("ONNX model encoding", () => {
  const small = () => {
    const g = new TorchGraph();
    g.input("x", [1, 2]);
    g.nodes.push({ input: ["x"], output: ["y"], name: "id", opType: "Identity" });
    g.output("y", [1, 2]);
    return encodeModel(g.model());
  };

  it("keeps fields the schema does not declare (a newer exporter's additions)", () => {
    const unknownField = Uint8Array.of(0x98, 0x06, 0x05); // field 99, varint 5
    const bytes = Buffer.concat([small(), unknownField]);
    expect(Buffer.from(encodeModel(decodeModel(bytes))).equals(bytes)).toBe(true);
  });

  it("keeps explicit zero-valued attributes (proto2 presence)", () => {
    const g = new TorchGraph();
    g.input("x", [2, 2]);
    g.nodes.push({ input: ["x"], output: ["y"], name: "t", opType: "Softmax", attribute: [{ name: "axis", type: 2, i: 0 }] });
    const decoded = decodeModel(encodeModel(g.model()));
    expect(Number(decoded.graph.node[0].attribute![0].i)).toBe(0);
    expect(Object.hasOwn(decoded.graph.node[0].attribute![0], "i")).toBe(true);
  });

  it("reports bytes that are not a model as MODEL_INVALID", () => {
    expect(() => decodeModel(Uint8Array.of(0x0a, 0xff, 0xff), "broken.onnx")).toThrow(expect.objectContaining({ code: "MODEL_INVALID" }));
    expect(() => decodeModel(new Uint8Array(0), "empty.onnx")).toThrow(/empty\.onnx has no graph/);
  });
});
