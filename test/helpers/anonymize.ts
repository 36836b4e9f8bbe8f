import type { OnnxModel } from "../../core/onnx/model.js";

/**
 * Strips every node name and renames every tensor but the graph's inputs and outputs to `t<n>`, as
 * ../shared/golden-anon does: a patcher must then find its sites by the graph's structure alone.
 */
export function anonymize(model: OnnxModel): OnnxModel {
  const kept = new Set([...model.graph.input, ...model.graph.output].map((v) => v.name));
  const names = new Map<string, string>();
  const rename = (name: string) => {
    if (!name || kept.has(name)) return name;
    if (!names.has(name)) names.set(name, `t${names.size}`);
    return names.get(name)!;
  };
  for (const tensor of model.graph.initializer) tensor.name = rename(tensor.name ?? "");
  model.graph.node.forEach((node, i) => {
    node.name = `node_${i}`;
    node.input = node.input.map(rename);
    node.output = node.output.map(rename);
  });
  model.graph.valueInfo = [];
  return model;
}
