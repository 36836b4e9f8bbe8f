import { describe, expect, it } from "vitest";
import { GraphEditor, tensorValueInfo } from "../../../core/onnx/graph.js";
import type { OnnxGraph } from "../../../core/onnx/index.js";

const chain = (): OnnxGraph => ({
  node: [
    { input: ["x"], output: ["a"], name: "first", opType: "Relu" },
    { input: ["a"], output: ["y"], name: "second", opType: "Relu" },
  ],
  initializer: [{ name: "w", dims: [1], dataType: 1 }],
  input: [{ name: "x" }],
  output: [{ name: "y" }],
});

describe("GraphEditor", () => {
  it("derives fresh names that clash with no tensor, node or initializer", () => {
    const editor = new GraphEditor(chain());
    expect(editor.fresh("first")).toBe("first_1");
    expect(editor.fresh("w")).toBe("w_1");
    expect(editor.fresh("w")).toBe("w_2");
    expect(editor.fresh("new")).toBe("new");
  });

  it("puts an inserted node before the reader it was wired into when finishing", () => {
    const graph = chain();
    const editor = new GraphEditor(graph);
    const doubled = editor.add("Add", ["a", "w"], "double");
    editor.rewire(graph.node[1], "a", doubled);
    editor.finish();
    expect(graph.node.map((n) => n.name)).toEqual(["first", "double", "second"]);
    expect(editor.consumers(doubled).map((n) => n.name)).toEqual(["second"]);
    expect(editor.consumers("a").map((n) => n.name)).toEqual(["double"]);
  });

  it("knows producers, constants and positions of the graph as read", () => {
    const graph = chain();
    const editor = new GraphEditor(graph);
    expect(editor.producer("a")?.name).toBe("first");
    expect(editor.producer("x")).toBeUndefined();
    expect(editor.isConstant("w")).toBe(true);
    expect(editor.position(graph.node[1])).toBe(1);
    expect(editor.position(graph.node[editor.graph.node.push({ input: [], output: ["z"], opType: "Constant" }) - 1])).toBe(Infinity);
  });
});

describe("tensorValueInfo", () => {
  it("writes sizes as dimValue and names as dimParam, float32 unless another element type is given", () => {
    expect(tensorValueInfo("x", ["batch", 16, 2048])).toEqual({
      name: "x",
      type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: "batch" }, { dimValue: 16 }, { dimValue: 2048 }] } } },
    });
    expect(tensorValueInfo("t", [1], 10).type?.tensorType?.elemType).toBe(10);
  });
});
