import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { z } from "zod";
import { ErrorCode, InstantIdError } from "../errors.js";

/** Reads `<dir>/<file>` and validates it, with errors that name the file and every bad field. */
export async function readCaseFile<S extends z.ZodType>(dir: string, file: string, schema: S): Promise<z.output<S>> {
  const path = join(dir, file);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `Cannot read reference cases ${path}: ${(error as Error).message}. Point the command at a reference folder holding ${file}.`,
      {
        cause: error,
        details: { path },
      },
    );
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new InstantIdError(ErrorCode.InvalidInput, `Reference cases ${path} do not have the expected layout: ${problems}`, {
      details: { path },
    });
  }
  return result.data;
}

/** A detection as the conformance results write it: plain arrays, numbers unrounded. */
export function detectionJson(d: { bbox: readonly number[]; score: number; kps: readonly (readonly number[])[] }) {
  return { bbox: [...d.bbox], score: d.score, kps: d.kps.map((p) => [...p]) };
}
