import { ErrorCode, InstantIdError } from "../../core/index.js";
import type { ApiPrompt } from "./graph.js";
import { inputKind, nodeInputs, type ObjectInfo } from "./object-info.js";

/** One thing wrong with a workflow for a given server. */
export interface WorkflowProblem {
  readonly node: string;
  readonly classType: string;
  readonly message: string;
  /** True when the problem is a model or file the server lacks. */
  readonly missingFile: boolean;
}

function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && Number.isInteger(value[1]);
}

/**
 * Checks a workflow against a server's `/object_info` before queueing it: node classes installed,
 * every input known, required inputs present, links pointing at existing outputs of the right type,
 * choices (model names, uploaded images) offered, numbers in range.
 */
export function findWorkflowProblems(prompt: ApiPrompt, info: ObjectInfo): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  for (const [id, node] of Object.entries(prompt)) {
    const add = (message: string, missingFile = false) => problems.push({ node: id, classType: node.class_type, message, missingFile });
    const nodeInfo = info[node.class_type];
    if (!nodeInfo) {
      add(
        `node class ${node.class_type} is not ` +
          `installed${node.class_type.includes("InstantID") ? " (install cubiq/ComfyUI_InstantID)" : ""}`,
      );
      continue;
    }
    const known = new Map(nodeInputs(nodeInfo).map((input) => [input.name, input]));
    for (const name of Object.keys(node.inputs))
      if (!known.has(name)) add(`input ${name} does not exist (known: ${[...known.keys()].join(", ")})`);
    for (const { name, spec, required } of known.values()) {
      const value = node.inputs[name];
      if (value === undefined) {
        if (required) add(`required input ${name} is missing`);
        continue;
      }
      const kind = inputKind(spec);
      if (kind.kind === "link") {
        if (!isLink(value)) {
          add(`input ${name} must be a link [nodeId, outputIndex] to a ${kind.type}`);
          continue;
        }
        const source = prompt[value[0]];
        const sourceType = source && info[source.class_type]?.output[value[1]];
        if (!source) add(`input ${name} links to node ${value[0]}, which is not in the workflow`);
        else if (!sourceType) add(`input ${name} links to output ${value[1]} of ${source.class_type}, which has no such output`);
        else if (sourceType !== kind.type)
          add(`input ${name} wants a ${kind.type} but node ${value[0]} output ${value[1]} is a ${sourceType}`);
        continue;
      }
      if (isLink(value)) continue; // a widget fed by a link (e.g. a primitive) is checked by the server
      if (kind.kind === "COMBO") {
        if (!kind.choices.includes(String(value))) {
          const file = /\.[a-z0-9]+$/i.test(String(value)) || kind.options.image_upload === true;
          add(
            `${name} ${JSON.stringify(value)} is not offered by the server (choices: ` +
              `${kind.choices.length ? kind.choices.join(", ") : "none"})`,
            file,
          );
        }
        continue;
      }
      if ((kind.kind === "INT" || kind.kind === "FLOAT") && typeof value === "number") {
        const { min, max } = kind.options as { min?: number; max?: number };
        if (kind.kind === "INT" && !Number.isInteger(value)) add(`${name} must be an integer but is ${value}`);
        if (min !== undefined && value < min) add(`${name} ${value} is below the minimum ${min}`);
        if (max !== undefined && value > max) add(`${name} ${value} is above the maximum ${max}`);
      }
    }
  }
  return problems;
}

/** Throws one error listing every problem (MODEL_NOT_FOUND when the only problems are missing files). */
export function assertWorkflowFits(prompt: ApiPrompt, info: ObjectInfo, server: string): void {
  const problems = findWorkflowProblems(prompt, info);
  if (!problems.length) return;
  const code = problems.every((p) => p.missingFile) ? ErrorCode.ModelNotFound : ErrorCode.InvalidInput;
  throw new InstantIdError(
    code,
    `The workflow does not fit the ComfyUI server at ${server}: ` +
      `${problems.map((p) => `node ${p.node} (${p.classType}): ${p.message}`).join("; ")}`,
    {
      details: { problems },
    },
  );
}
