/** One input as `/object_info` reports it: `[type, options?]`, where type is a name or a list of choices. */
export type InputSpec = readonly [type: string | readonly string[], options?: Readonly<Record<string, unknown>>];

/** One node class as `/object_info` reports it. */
export interface NodeInfo {
  readonly input: {
    readonly required?: Readonly<Record<string, InputSpec>>;
    readonly optional?: Readonly<Record<string, InputSpec>>;
    readonly hidden?: Readonly<Record<string, unknown>>;
  };
  readonly input_order?: Readonly<Record<string, readonly string[]>>;
  readonly output: readonly string[];
  readonly output_name?: readonly string[];
  readonly name: string;
  readonly display_name?: string;
  readonly description?: string;
  readonly python_module?: string;
  readonly category?: string;
  readonly output_node?: boolean;
}

/** The whole `/object_info` answer: node class name → description. */
export type ObjectInfo = Readonly<Record<string, NodeInfo>>;

/** What an input takes: a link of some type, a widget value, or one of a list of choices. */
export type InputKind =
  | { readonly kind: "link"; readonly type: string }
  | { readonly kind: "INT" | "FLOAT" | "STRING" | "BOOLEAN"; readonly options: Readonly<Record<string, unknown>> }
  | { readonly kind: "COMBO"; readonly choices: readonly string[]; readonly options: Readonly<Record<string, unknown>> };

const widgetTypes = new Set(["INT", "FLOAT", "STRING", "BOOLEAN"]);

/** Classifies an input spec; handles both combo shapes (`[[choices]]` and `["COMBO", {options}]`). */
export function inputKind(spec: InputSpec): InputKind {
  const [type, options = {}] = spec;
  if (Array.isArray(type)) return { kind: "COMBO", choices: type as string[], options };
  if (type === "COMBO") return { kind: "COMBO", choices: (options.options as string[] | undefined) ?? [], options };
  if (widgetTypes.has(type as string)) return { kind: type as "INT" | "FLOAT" | "STRING" | "BOOLEAN", options };
  return { kind: "link", type: type as string };
}

/** Every input of a node with whether it is required, in the server's order. */
export function nodeInputs(node: NodeInfo): { name: string; spec: InputSpec; required: boolean }[] {
  const out: { name: string; spec: InputSpec; required: boolean }[] = [];
  for (const section of ["required", "optional"] as const) {
    const inputs = node.input[section] ?? {};
    const order = node.input_order?.[section] ?? Object.keys(inputs);
    for (const name of order) if (inputs[name]) out.push({ name, spec: inputs[name], required: section === "required" });
  }
  return out;
}

/** Output names of a node (`output_name`, falling back to the types). */
export function outputNames(node: NodeInfo): string[] {
  return node.output.map((type, i) => node.output_name?.[i] ?? type);
}
