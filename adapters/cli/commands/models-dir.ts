import { ErrorCode, InstantIdError } from "../../../core/index.js";

/**
 * The models folder from `--dir`/the positional, else `$INSTANTID_MODELS`; an actionable error when neither is given.
 * `command` is the command's words, so the error shows the whole line that works.
 */
export function modelsDirFrom(value: unknown, command: string, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof value === "string" && value) return value;
  if (env.INSTANTID_MODELS) return env.INSTANTID_MODELS;
  throw new InstantIdError(
    ErrorCode.InvalidOption,
    `Expected a models folder but received none; name it (instantid ${command} --dir models) or set INSTANTID_MODELS=models`,
  );
}
