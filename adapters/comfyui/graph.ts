/** A reference to output `index` of node `id`, typed by the ComfyUI type it carries. */
export type NodeOutput<T extends string = string> = readonly [nodeId: string, outputIndex: number] & { readonly __comfyType?: T };

/** One node of an API-format workflow. */
export interface ApiNode {
  readonly class_type: string;
  readonly inputs: Record<string, unknown>;
  readonly _meta?: { readonly title: string };
}

/** An API-format workflow (what `POST /prompt` takes as `prompt`): node id → node. */
export type ApiPrompt = Record<string, ApiNode>;

/** Builds an API-format workflow node by node; the generated `add<Node>` functions call {@link WorkflowGraph.addNode}. */
export class WorkflowGraph {
  private readonly nodes: ApiPrompt = {};
  private nextId = 1;

  /** Adds a node and returns its outputs by name, each a `[nodeId, index]` link. */
  addNode(classType: string, inputs: Readonly<Record<string, unknown>>, outputs: readonly string[]): Record<string, NodeOutput> {
    const id = String(this.nextId++);
    const defined = Object.fromEntries(Object.entries(inputs).filter(([, value]) => value !== undefined));
    this.nodes[id] = { class_type: classType, inputs: defined };
    return Object.fromEntries(outputs.map((name, index) => [name, [id, index] as const]));
  }

  /** The workflow as `POST /prompt` expects it. */
  toPrompt(): ApiPrompt {
    return structuredClone(this.nodes);
  }
}
