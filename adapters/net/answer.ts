import type { z } from "zod";
import { ErrorCode, InstantIdError } from "../../core/index.js";

/** At most this much of a server's answer is quoted in an error. */
const QUOTED_CHARS = 300;

function quote(text: string): string {
  return JSON.stringify(text.length > QUOTED_CHARS ? `${text.slice(0, QUOTED_CHARS)}...` : text);
}

/** Parses a JSON body, or says which answer was not JSON. */
export function parseJson<T = unknown>(body: Uint8Array, what: string): T {
  const text = new TextDecoder().decode(body);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new InstantIdError(
      ErrorCode.Server,
      `Expected JSON from ${what} but received ${quote(text.slice(0, 80))}; is this the right kind of server?`,
      {
        cause: error,
        details: { body: text.slice(0, QUOTED_CHARS) },
      },
    );
  }
}

/**
 * Checks a server's answer against the shape the SDK relies on: valid JSON of another shape (a `null`
 * where a list was promised) becomes a SERVER error that says what was expected and what was sent,
 * never a TypeError deep inside the bridge.
 */
export function parseAnswer<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(the answer)"}: ${issue.message}`);
  const sent = value === undefined ? "nothing" : quote(JSON.stringify(value) ?? String(value));
  throw new InstantIdError(
    ErrorCode.Server,
    `${what} is not of the expected shape (${issues.join("; ")}); it sent ${sent}. Is this the right kind of server, in a ` +
      `supported version?`,
    { details: { issues: result.error.issues, sent: sent.slice(0, QUOTED_CHARS + 2) } },
  );
}

/** {@link parseJson} then {@link parseAnswer}. */
export function parseJsonAnswer<S extends z.ZodType>(schema: S, body: Uint8Array, what: string): z.infer<S> {
  return parseAnswer(schema, parseJson(body, what), what);
}
