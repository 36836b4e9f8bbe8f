/**
 * Every failure the SDK reports is an {@link InstantIdError} with a stable `code`.
 * Messages say what failed, what was tried, and what to do next.
 */
export const ErrorCode = {
  InvalidOption: "INVALID_OPTION",
  InvalidInput: "INVALID_INPUT",
  ModelNotFound: "MODEL_NOT_FOUND",
  ModelInvalid: "MODEL_INVALID",
  ImageUnreadable: "IMAGE_UNREADABLE",
  NoFace: "NO_FACE",
  FileCorrupt: "FILE_CORRUPT",
  UnsafeCheckpoint: "UNSAFE_CHECKPOINT",
  ShapeMismatch: "SHAPE_MISMATCH",
  GraphPatch: "GRAPH_PATCH",
  Server: "SERVER",
  /** A server setting is too low for the request (the message names the setting and whether a restart is needed). */
  ServerSetting: "SERVER_SETTING",
  Network: "NETWORK",
  Aborted: "ABORTED",
  Checksum: "CHECKSUM",
  DeviceUnavailable: "DEVICE_UNAVAILABLE",
  Internal: "INTERNAL",
} as const;

/** One of the values of {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The single error class of the SDK: a machine-readable `code`, a human message, and the underlying `cause`. */
export class InstantIdError extends Error {
  override readonly name = "InstantIdError";
  readonly code: ErrorCode;
  /** Extra structured facts (paths tried, sizes, server body...), for programs that react to the error. */
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.details) this.details = options.details;
  }
}

/** Turns anything thrown into an {@link InstantIdError}, keeping the original as `cause`. */
export function toInstantIdError(error: unknown, code: ErrorCode = ErrorCode.Internal, context?: string): InstantIdError {
  if (error instanceof InstantIdError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new InstantIdError(code, context ? `${context}: ${text}` : text, { cause: error });
}

/** "Expected <what> for <option> but received <value>", the one wording for bad options. */
export function invalidOption(option: string, expected: string, received: unknown): InstantIdError {
  return new InstantIdError(ErrorCode.InvalidOption, `Expected ${expected} for ${option} but received ${describeValue(received)}`);
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  return `a ${value.constructor?.name ?? typeof value}`;
}
