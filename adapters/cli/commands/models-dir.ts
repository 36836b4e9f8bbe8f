import { ErrorCode, InstantIdError } from "../../../core/index.js";

/** The models folder from `--dir`/the positional, else `$INSTANTID_MODELS`; an actionable error when neither is given. */
export function modelsDirFrom(value: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof value === "string" && value) return value;
  if (env.INSTANTID_MODELS) return env.INSTANTID_MODELS;
  throw new InstantIdError(
    ErrorCode.InvalidOption,
    "Expected a models folder for --dir but received nothing; pass --dir DIR or set INSTANTID_MODELS",
  );
}
