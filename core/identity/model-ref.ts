import { basename } from "node:path";
import { ErrorCode, InstantIdError } from "../errors.js";
import { sha256File } from "../io/sha256.js";
import type { ModelRef } from "./identity.js";

/**
 * Names a model file and hashes its content (SHA-256, hex), so an identity
 * records exactly which recognizer produced it.
 * @example const ref = await modelRef("models/glintr100.onnx"); // { name: "glintr100.onnx", sha256: "…" }
 */
export async function modelRef(path: string, name = basename(path)): Promise<ModelRef> {
  try {
    return { name, sha256: await sha256File(path) };
  } catch (error) {
    throw new InstantIdError(ErrorCode.ModelNotFound, `Cannot hash model ${path}: ${(error as Error).message}`, { cause: error });
  }
}
