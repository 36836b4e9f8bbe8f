import { extname } from "node:path";
import { ErrorCode, InstantIdError } from "../../core/index.js";
import { invalidOption } from "../../core/internal.js";

/** A required string option, or an actionable error naming an example. */
export function requireString(value: unknown, option: string, example: string): string {
  if (typeof value !== "string" || !value) {
    throw new InstantIdError(ErrorCode.InvalidOption, `Expected a value for --${option} but received nothing; e.g. --${option} ${example}`);
  }
  return value;
}

/** Parses `WxH` (e.g. 1024x768) into positive whole pixels. */
export function parseSize(value: string): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/i.exec(value.trim());
  const width = match ? Number(match[1]) : 0;
  const height = match ? Number(match[2]) : 0;
  if (!width || !height)
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `Expected WxH with positive whole pixels for --size (e.g. 1024x1024) but received ${JSON.stringify(value)}`,
    );
  return { width, height };
}

/** A numeric option read from parsed CLI values, checked by `check`; `expected` words the error. */
export function numberOption(values: Record<string, unknown>, name: string, check: (n: number) => boolean, expected: string): number {
  const raw = values[name];
  const value = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(value) || !check(value))
    throw invalidOption(`--${name}`, expected, raw);
  return value;
}

/** Parses a comma-separated list of numbers, e.g. `0.7,0.3`. */
export function parseNumberList(value: string, option: string): number[] {
  const numbers = value.split(",").map((part) => Number(part.trim()));
  if (!value.trim() || numbers.some((n) => !Number.isFinite(n))) {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `Expected comma-separated numbers for --${option} (e.g. 0.7,0.3) but received ${JSON.stringify(value)}`,
    );
  }
  return numbers;
}

/** `preview.png` for one photo; `preview-1.png`, `preview-2.png`, ... for several. */
export function numberedPath(path: string, index: number, count: number): string {
  if (count === 1) return path;
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}-${index + 1}${ext}`;
}
