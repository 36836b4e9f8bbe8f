import type { ApiPrompt } from "../../adapters/comfyui/graph.js";
import type { NodeInfo, ObjectInfo } from "../../adapters/comfyui/object-info.js";

/** One validation error in ComfyUI's shape. */
export interface ComfyError {
  readonly type: string;
  readonly message: string;
  readonly details: string;
  readonly extra_info: Record<string, unknown>;
}

/** The body of a 400 from POST /prompt. */
export interface ValidationFailure {
  readonly error: ComfyError;
  readonly node_errors: Record<string, { errors: ComfyError[]; dependent_outputs: string[]; class_type: string }>;
}

const err = (type: string, message: string, details = "", extra_info: Record<string, unknown> = {}): ComfyError => ({
  type,
  message,
  details,
  extra_info,
});

/**
 * Validates a prompt as ComfyUI's `execution.validate_prompt` does: class types exist, there is an
 * output node, and every input reachable from the outputs is present, well linked, of the right type,
 * in its list or range. Stricter than the real server in one way: inputs the node does not declare
 * are rejected (the real server ignores them silently, which hides typos).
 */
export function validatePrompt(prompt: ApiPrompt, info: ObjectInfo): ValidationFailure | undefined {
  if (!prompt || typeof prompt !== "object" || Array.isArray(prompt))
    return { error: err("invalid_prompt", "Prompt is not an object"), node_errors: {} };
  for (const [id, node] of Object.entries(prompt)) {
    if (!node || typeof node !== "object" || !("class_type" in node)) {
      return {
        error: err("invalid_prompt", "Cannot execute because a node is missing the class_type property.", `Node ID '#${id}'`),
        node_errors: {},
      };
    }
    if (!info[node.class_type])
      return {
        error: err("invalid_prompt", `Cannot execute because node ${node.class_type} does not exist.`, `Node ID '#${id}'`),
        node_errors: {},
      };
  }
  const outputs = Object.keys(prompt).filter((id) => info[prompt[id].class_type].output_node);
  if (!outputs.length) return { error: err("prompt_no_outputs", "Prompt has no outputs"), node_errors: {} };
  const nodeErrors: ValidationFailure["node_errors"] = {};
  const validated = new Map<string, boolean>();
  for (const output of outputs) {
    const ok = validateNode(prompt, info, output, validated, nodeErrors);
    if (!ok)
      for (const entry of Object.values(nodeErrors)) if (!entry.dependent_outputs.includes(output)) entry.dependent_outputs.push(output);
  }
  if (!Object.keys(nodeErrors).length) return undefined;
  return { error: err("prompt_outputs_failed_validation", "Prompt outputs failed validation"), node_errors: nodeErrors };
}

function validateNode(
  prompt: ApiPrompt,
  info: ObjectInfo,
  id: string,
  validated: Map<string, boolean>,
  nodeErrors: ValidationFailure["node_errors"],
): boolean {
  const known = validated.get(id);
  if (known !== undefined) return known;
  validated.set(id, true);
  const node = prompt[id];
  const nodeInfo = info[node.class_type];
  const errors: ComfyError[] = [];
  const declared = { ...nodeInfo.input.required, ...nodeInfo.input.optional };
  for (const name of Object.keys(node.inputs ?? {}))
    if (!(name in declared)) errors.push(err("unknown_input", "Input is not declared by the node", name, { input_name: name }));
  let linkedOk = true;
  for (const [name, spec] of Object.entries(declared)) {
    const value = node.inputs?.[name];
    const required = name in (nodeInfo.input.required ?? {});
    if (value === undefined) {
      if (required) errors.push(err("required_input_missing", "Required input is missing", name, { input_name: name }));
      continue;
    }
    const [type, options = {}] = spec as [string | string[], Record<string, unknown>?];
    if (Array.isArray(value)) {
      if (value.length !== 2) {
        errors.push(err("bad_linked_input", "Bad linked input, must be a length-2 list of [node_id, slot_index]", name));
        continue;
      }
      const [sourceId, slot] = value as [string, number];
      const source = prompt[sourceId];
      if (!source) {
        errors.push(
          err("exception_during_inner_validation", "Exception when validating inner node", `'${sourceId}'`, { input_name: name }),
        );
        continue;
      }
      const received = info[source.class_type].output[slot];
      if (received === undefined) {
        errors.push(
          err("exception_during_inner_validation", "Exception when validating inner node", "tuple index out of range", {
            input_name: name,
          }),
        );
        continue;
      }
      if (typeof type === "string" && received !== type) {
        errors.push(
          err(
            "return_type_mismatch",
            "Return type mismatch between linked nodes",
            `${name}, received_type(${received}) mismatch input_type(${type})`,
            { input_name: name },
          ),
        );
        continue;
      }
      if (!validateNode(prompt, info, sourceId, validated, nodeErrors)) linkedOk = false;
      continue;
    }
    errors.push(...checkWidget(name, value, type, options));
  }
  if (errors.length) nodeErrors[id] = { errors, dependent_outputs: [], class_type: node.class_type };
  const ok = !errors.length && linkedOk;
  validated.set(id, ok);
  return ok;
}

function checkWidget(name: string, value: unknown, type: string | string[], options: Record<string, unknown>): ComfyError[] {
  if (Array.isArray(type)) {
    return type.includes(value as string)
      ? []
      : [err("value_not_in_list", "Value not in list", `${name}: '${value}' not in ${JSON.stringify(type)}`, { input_name: name })];
  }
  if (type === "INT" || type === "FLOAT") {
    const number = typeof value === "number" ? value : Number(value);
    if (!Number.isFinite(number) || (type === "INT" && !Number.isInteger(number))) {
      return [err("invalid_input_type", `Failed to convert an input value to a ${type} value`, `${name}, ${value}`, { input_name: name })];
    }
    const { min, max } = options as { min?: number; max?: number };
    if (min !== undefined && number < min)
      return [err("value_smaller_than_min", `Value ${number} smaller than min of ${min}`, name, { input_name: name })];
    if (max !== undefined && number > max)
      return [err("value_bigger_than_max", `Value ${number} bigger than max of ${max}`, name, { input_name: name })];
  }
  if (type === "STRING" && typeof value !== "string")
    return [err("invalid_input_type", "Failed to convert an input value to a STRING value", `${name}, ${value}`, { input_name: name })];
  return [];
}

/** The object_info a server with these uploaded images and model lists would report. */
export function serverObjectInfo(
  snapshot: ObjectInfo,
  uploads: readonly string[],
  models: Partial<Record<string, string[]>> = {},
): ObjectInfo {
  const info: Record<string, NodeInfo> = structuredClone(snapshot) as Record<string, NodeInfo>;
  const setChoices = (node: string, input: string, choices: string[]) => {
    const required = info[node]?.input.required as Record<string, unknown[]> | undefined;
    if (required?.[input]) required[input] = [choices, ...(required[input].slice(1) as unknown[])];
  };
  setChoices("LoadImage", "image", [...uploads]);
  setChoices("LoadImageMask", "image", [...uploads]);
  for (const [key, choices] of Object.entries(models)) {
    const [node, input] = key.split(".");
    setChoices(node, input, choices!);
  }
  return info;
}
