import { readFile } from "node:fs/promises";
import { z } from "zod";
import { ErrorCode, InstantIdError } from "../errors.js";
import type { FiveKeypoints } from "../face/types.js";
import { writeFileAtomic } from "../io/atomic.js";
import { encodeSafetensors, readSafetensors } from "../tensor/safetensors.js";
import { COMBINE_MODES, assertEmbeddings, type Identity } from "./identity.js";

/** The value of the `format` metadata key of an identity file. */
export const IDENTITY_FORMAT = "instantid.identity";
/** The identity file layout this SDK writes and reads. */
export const IDENTITY_FORMAT_VERSION = 1;

const point = z.tuple([z.number(), z.number()]);
const sourcesSchema = z.array(
  z.object({ kps: z.array(point).length(5), width: z.number().int().positive(), height: z.number().int().positive() }),
);
const modelsSchema = z.array(z.object({ name: z.string(), sha256: z.string() }));

/** Serialises an identity to safetensors bytes: an `embeddings` [N, D] float32 tensor plus JSON metadata. */
export function encodeIdentity(identity: Identity): Buffer {
  const dimension = assertEmbeddings(identity.embeddings);
  const data = new Float32Array(identity.embeddings.length * dimension);
  identity.embeddings.forEach((e, i) => data.set(e, i * dimension));
  return encodeSafetensors(
    { embeddings: { shape: [identity.embeddings.length, dimension], data } },
    {
      format: IDENTITY_FORMAT,
      format_version: String(IDENTITY_FORMAT_VERSION),
      dimension: String(dimension),
      combine: identity.combine,
      sources: JSON.stringify(identity.sources),
      models: JSON.stringify(identity.models),
    },
  );
}

/** Writes an identity file atomically. Conventionally named `NAME.identity.safetensors`. */
export async function saveIdentity(path: string, identity: Identity): Promise<void> {
  await writeFileAtomic(path, encodeIdentity(identity));
}

/** Options of {@link decodeIdentity} and {@link loadIdentity}. */
export interface LoadIdentityOptions {
  /** Refuse identities whose embeddings are not this long (e.g. 512 for InstantID's Resampler). */
  readonly dimension?: number;
}

function corrupt(source: string, why: string, cause?: unknown): InstantIdError {
  return new InstantIdError(
    ErrorCode.FileCorrupt,
    `${source} is not a usable identity file: ${why}. Recreate it with \`instantid identity create\`.`,
    {
      cause,
      details: { source },
    },
  );
}

function parseJson<T>(schema: z.ZodType<T>, text: string | undefined, key: string, source: string): T {
  try {
    return schema.parse(JSON.parse(text ?? "[]"));
  } catch (error) {
    throw corrupt(source, `its ${key} metadata is malformed`, error);
  }
}

function checkVersion(metadata: Record<string, string>, source: string): void {
  if (metadata.format !== IDENTITY_FORMAT)
    throw corrupt(source, `its format is ${JSON.stringify(metadata.format ?? null)}, not ${IDENTITY_FORMAT}`);
  const version = Number(metadata.format_version);
  if (!Number.isInteger(version) || version < 1)
    throw corrupt(source, `its format_version ${JSON.stringify(metadata.format_version ?? null)} is not a version number`);
  if (version > IDENTITY_FORMAT_VERSION) {
    throw new InstantIdError(
      ErrorCode.FileCorrupt,
      `${source} uses identity format version ${version}, newer than this SDK reads (${IDENTITY_FORMAT_VERSION}); upgrade ` +
        `instantid to load it.`,
      { details: { source, version } },
    );
  }
}

function readTensors(buffer: Uint8Array, source: string): ReturnType<typeof readSafetensors> {
  try {
    return readSafetensors(buffer, source);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw corrupt(source, why.replace(`${source} is not a valid safetensors file: `, "not valid safetensors: "), error);
  }
}

/**
 * Parses identity file bytes and validates them: format and version, the
 * embeddings' shape against the recorded dimension, finite values, metadata.
 * @throws InstantIdError FILE_CORRUPT for a corrupt, truncated, foreign or newer file; SHAPE_MISMATCH when `options.dimension` differs.
 */
export function decodeIdentity(buffer: Uint8Array, source = "identity data", options: LoadIdentityOptions = {}): Identity {
  const { tensors, metadata } = readTensors(buffer, source);
  checkVersion(metadata, source);
  const embeddings = tensors.get("embeddings");
  if (!embeddings) throw corrupt(source, "it has no embeddings tensor");
  const [count, dimension] = embeddings.shape;
  if (embeddings.shape.length !== 2 || count < 1 || dimension < 1)
    throw corrupt(source, `its embeddings have shape [${embeddings.shape.join(", ")}], expected [N, D]`);
  if (String(dimension) !== metadata.dimension)
    throw corrupt(source, `its embeddings are ${dimension} long but its metadata says ${metadata.dimension}`);
  if (!embeddings.data.every(Number.isFinite)) throw corrupt(source, "its embeddings contain NaN or infinite values");
  if (options.dimension !== undefined && dimension !== options.dimension) {
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `${source} holds ${dimension}-value embeddings but ${options.dimension} are needed; it was made by a different recognizer.`,
    );
  }
  const combine = metadata.combine as Identity["combine"];
  if (!COMBINE_MODES.includes(combine)) throw corrupt(source, `its combine mode ${JSON.stringify(metadata.combine ?? null)} is unknown`);
  const sources = parseJson(sourcesSchema, metadata.sources, "sources", source);
  if (sources.length !== 0 && sources.length !== count) throw corrupt(source, `it has ${sources.length} sources for ${count} embeddings`);
  return {
    embeddings: Array.from({ length: count }, (_, i) => embeddings.data.slice(i * dimension, (i + 1) * dimension)),
    combine,
    sources: sources.map((s) => ({ ...s, kps: s.kps as unknown as FiveKeypoints })),
    models: parseJson(modelsSchema, metadata.models, "models", source),
  };
}

/**
 * Reads and validates an identity file.
 * @throws InstantIdError INVALID_INPUT when the file cannot be read, otherwise as {@link decodeIdentity}.
 * @example const alice = await loadIdentity("alice.identity.safetensors", { dimension: 512 });
 */
export async function loadIdentity(path: string, options: LoadIdentityOptions = {}): Promise<Identity> {
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (error) {
    throw new InstantIdError(ErrorCode.InvalidInput, `Cannot read identity file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return decodeIdentity(buffer, path, options);
}
