import type { z } from "zod";
import { ErrorCode, InstantIdError } from "./errors.js";

/**
 * Validates `input` against a zod schema at a public boundary and returns the parsed value.
 * Failures become one {@link InstantIdError} listing every offending path.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.join(".") : "(root)";
    return `${path}: ${issue.message}`;
  });
  throw new InstantIdError(ErrorCode.InvalidOption, `Invalid ${what}: ${problems.join("; ")}`, {
    details: { issues: result.error.issues },
  });
}
