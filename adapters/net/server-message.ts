/**
 * Pulls the human message out of an error body in the shapes SD servers use:
 * FastAPI `{detail}` (string or validation list), A1111 `{error, errors}`,
 * ComfyUI `{error: {message, details}, node_errors}`, or plain text.
 */
export function describeServerError(body: Uint8Array): string {
  const text = new TextDecoder().decode(body).trim();
  if (!text) return "(empty body)";
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text.slice(0, 500);
  }
  return describeJson(parsed) ?? text.slice(0, 500);
}

function describeJson(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (!value || typeof value !== "object") return undefined;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  if (record.error && typeof record.error === "object") {
    const error = record.error as Record<string, unknown>;
    parts.push([error.message, error.details].filter((part) => typeof part === "string" && part).join(": "));
  }
  if (record.node_errors && typeof record.node_errors === "object")
    parts.push(...describeNodeErrors(record.node_errors as Record<string, unknown>));
  if (typeof record.errors === "string" && record.errors) parts.push(record.errors);
  else if (typeof record.error === "string" && record.error) parts.push(record.error);
  if (typeof record.detail === "string" && record.detail) parts.push(record.detail);
  if (Array.isArray(record.detail)) parts.push(...record.detail.map(describeValidationIssue));
  if (typeof record.message === "string" && record.message && !parts.length) parts.push(record.message);
  const joined = parts.filter(Boolean).join("; ");
  return joined || undefined;
}

function describeValidationIssue(issue: unknown): string {
  if (!issue || typeof issue !== "object") return String(issue);
  const { loc, msg } = issue as { loc?: unknown[]; msg?: string };
  return `${Array.isArray(loc) ? loc.join(".") : "?"}: ${msg ?? JSON.stringify(issue)}`;
}

function describeNodeErrors(nodeErrors: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [id, entry] of Object.entries(nodeErrors)) {
    const { class_type: classType, errors } = entry as { class_type?: string; errors?: { message?: string; details?: string }[] };
    for (const error of errors ?? [])
      out.push(`node ${id} (${classType ?? "?"}): ${error.message ?? ""}${error.details ? `: ${error.details}` : ""}`);
  }
  return out;
}
