import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { ErrorCode, InstantIdError } from "../errors.js";
import type { ModelRef } from "./identity.js";

/**
 * Names a model file and hashes its content (SHA-256, hex), so an identity
 * records exactly which recognizer produced it.
 * @example const ref = await modelRef("models/glintr100.onnx"); // { name: "glintr100.onnx", sha256: "…" }
 */
export async function modelRef(path: string, name = basename(path)): Promise<ModelRef> {
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    throw new InstantIdError(ErrorCode.ModelNotFound, `Cannot hash model ${path}: ${(error as Error).message}`, { cause: error });
  }
  return { name, sha256: hash.digest("hex") };
}
