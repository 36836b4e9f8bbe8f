import { ErrorCode, InstantIdError } from "../../core/index.js";

/** What a file-system error code means, in words a user acts on. */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "does not exist",
  ENOTDIR: "is not in a folder (a part of the path is a file)",
  EISDIR: "is a folder, not a file",
  EACCES: "cannot be accessed (permission denied)",
  EPERM: "cannot be accessed (operation not permitted)",
  ENOSPC: "cannot be written: the disk is full",
  EROFS: "cannot be written: the file system is read-only",
};

/**
 * The typed error a command's failure is reported as. A file-system error (a missing file given on the command
 * line) becomes INVALID_INPUT naming the path; anything else untyped is a bug: INTERNAL, with its stack to report.
 */
export function commandFailure(error: unknown): InstantIdError {
  if (error instanceof InstantIdError) return error;
  const { code, path } = (error ?? {}) as { code?: unknown; path?: unknown };
  if (typeof code === "string" && typeof path === "string" && FILE_ERRORS[code]) {
    return new InstantIdError(ErrorCode.InvalidInput, `${path} ${FILE_ERRORS[code]}; check the path`, {
      cause: error,
      details: { path, code },
    });
  }
  const trace = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return new InstantIdError(ErrorCode.Internal, `unexpected failure, a bug: please report it with this trace:\n${trace}`, { cause: error });
}
