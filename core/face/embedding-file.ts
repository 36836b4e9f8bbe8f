import { readFile } from "node:fs/promises";
import { ErrorCode, InstantIdError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { readSafetensors, writeSafetensors } from "../tensor/safetensors.js";

const TENSOR_NAME = "embedding";

function stack(vectors: readonly Float32Array[]): { shape: number[]; data: Float32Array } {
  if (!vectors.length || vectors.some((v) => v.length !== vectors[0].length || v.length === 0)) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `Expected one or more embeddings of equal, non-zero length but received lengths ${vectors.map((v) => v.length).join(", ") || "none"}`,
    );
  }
  const data = new Float32Array(vectors.length * vectors[0].length);
  vectors.forEach((v, i) => data.set(v, i * v.length));
  return { shape: vectors.length === 1 ? [vectors[0].length] : [vectors.length, vectors[0].length], data };
}

/**
 * Saves face embeddings atomically: `.safetensors` holds one float32 tensor `embedding` ([D] for one face,
 * [N, D] for several); any other extension is JSON `{"embedding": [...]}` or `{"embedding": [[...], ...]}`.
 */
export async function writeEmbeddingFile(path: string, vectors: readonly Float32Array[]): Promise<void> {
  const tensor = stack(vectors);
  if (path.toLowerCase().endsWith(".safetensors")) {
    await writeSafetensors(path, { [TENSOR_NAME]: tensor }, { format: "instantid-embedding" });
    return;
  }
  const rows = vectors.map((v) => [...v]);
  await writeFileAtomic(path, `${JSON.stringify({ [TENSOR_NAME]: rows.length === 1 ? rows[0] : rows })}\n`);
}

/** Reads a file written by {@link writeEmbeddingFile} back as one vector per face. */
export async function readEmbeddingFile(path: string): Promise<Float32Array[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InstantIdError(ErrorCode.InvalidInput, `Cannot read the embedding file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const rows = path.toLowerCase().endsWith(".safetensors") ? fromSafetensors(bytes, path) : fromJson(bytes, path);
  if (!rows.length || rows.some((r) => r.length === 0 || r.some((x) => !Number.isFinite(x)))) {
    throw new InstantIdError(
      ErrorCode.FileCorrupt,
      `The embedding file ${path} holds no usable vector; write it with \`instantid analyze --save-embedding\`.`,
    );
  }
  return rows;
}

function fromSafetensors(bytes: Buffer, path: string): Float32Array[] {
  const t = readSafetensors(bytes, path).tensors.get(TENSOR_NAME);
  if (!t || t.shape.length < 1 || t.shape.length > 2) return [];
  const width = t.shape[t.shape.length - 1];
  return Array.from({ length: t.data.length / width }, (_, i) => t.data.slice(i * width, (i + 1) * width));
}

function fromJson(bytes: Buffer, path: string): Float32Array[] {
  let value: unknown;
  try {
    value = (JSON.parse(bytes.toString("utf8")) as Record<string, unknown>)?.[TENSOR_NAME];
  } catch (error) {
    throw new InstantIdError(ErrorCode.FileCorrupt, `The embedding file ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!Array.isArray(value)) return [];
  const rows = Array.isArray(value[0]) ? (value as unknown[][]) : [value];
  return rows.map((r) => Float32Array.from(r.map(Number)));
}
