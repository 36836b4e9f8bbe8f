import { readFile } from "node:fs/promises";
import { parseControlNetConfig } from "../convert/config.js";
import { ErrorCode, InstantIdError } from "../errors.js";

/**
 * What a file without a published digest must hold, checked before it is accepted:
 * `controlnet-config`, a diffusers ControlNet `config.json` that the converter's schema accepts.
 */
export type FileStructure = "controlnet-config";

/**
 * Reads a (small, size-capped) file and checks its content against `structure`; a file that fails throws a
 * `CHECKSUM` error saying what is wrong with it, as a wrong digest would.
 */
export async function checkStructure(path: string, structure: FileStructure, label = path): Promise<void> {
  const text = await readFile(path, "utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw notStructured(label, structure, `it is not JSON (${(error as Error).message})`, error);
  }
  try {
    parseControlNetConfig(json, label);
  } catch (error) {
    throw notStructured(label, structure, (error as Error).message, error);
  }
}

/** Whether `path` passes {@link checkStructure}. */
export async function hasStructure(path: string, structure: FileStructure): Promise<boolean> {
  return checkStructure(path, structure).then(
    () => true,
    () => false,
  );
}

function notStructured(label: string, structure: FileStructure, why: string, cause: unknown): InstantIdError {
  return new InstantIdError(
    ErrorCode.Checksum,
    `${label} is not the diffusers ControlNet config.json that was expected: ${why}. Its publisher gives no digest to compare ` +
      `with, so its content is checked instead. Check the base URL points at the original files, then pull again`,
    { cause, details: { path: label, structure } },
  );
}
