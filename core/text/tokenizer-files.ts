import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ErrorCode, InstantIdError } from "../errors.js";

/** What a CLIP tokenizer folder holds, parsed: the files of `tokenizer/` and `tokenizer_2/` in an SDXL export. */
export interface TokenizerFiles {
  readonly dir: string;
  /** vocab.json: token → id. */
  readonly vocab: ReadonlyMap<string, number>;
  /** merges.txt without its `#version` header: "first second" per merge, in rank order. */
  readonly merges: readonly string[];
  /** Special tokens by role (`bos_token`, `eos_token`, `pad_token`, `unk_token`), as strings. */
  readonly specialTokens: Readonly<Record<string, string>>;
  /** tokenizer_config.json's `model_max_length`, when it is a usable number. */
  readonly modelMaxLength?: number;
}

// CLIP's slow tokenizer reads merges.txt lines 1 … 49152 − 256 − 2: its vocabulary has room for that many merges.
const MAX_MERGES = 49152 - 256 - 2;
const SPECIAL_ROLES = ["bos_token", "eos_token", "pad_token", "unk_token"] as const;
const ORIGIN =
  "an SDXL export's tokenizer/ or tokenizer_2/ folder (as in stabilityai/stable-diffusion-xl-base-1.0, or written by " +
  "`optimum-cli export onnx`)";

function missing(path: string, dir: string, error: unknown): InstantIdError {
  return new InstantIdError(
    ErrorCode.ModelNotFound,
    `The CLIP tokenizer file ${path} cannot be read (${(error as Error).message}). ${dir} should be ${ORIGIN}, holding ` +
      `vocab.json, merges.txt and special_tokens_map.json or tokenizer_config.json; point the tokenizer option at that folder.`,
    { cause: error, details: { path, dir } },
  );
}

function invalid(path: string, why: string, cause?: unknown): InstantIdError {
  return new InstantIdError(
    ErrorCode.ModelInvalid,
    `The CLIP tokenizer file ${path} is not usable: ${why}. Copy it again from ${ORIGIN}.`,
    {
      cause,
      details: { path },
    },
  );
}

async function readText(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw missing(path, dir, error);
  }
}

async function readJsonIfPresent(dir: string, name: string): Promise<Record<string, unknown> | undefined> {
  const path = join(dir, name);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  return parseObject(path, text);
}

function parseObject(path: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(path, `it is not JSON (${(error as Error).message})`, error);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(path, "it is not a JSON object");
  return value as Record<string, unknown>;
}

function parseVocab(path: string, text: string): Map<string, number> {
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(parseObject(path, text))) {
    if (!Number.isInteger(id) || (id as number) < 0)
      throw invalid(path, `token ${JSON.stringify(token)} has id ${String(id)}, not a non-negative integer`);
    vocab.set(token, id as number);
  }
  return vocab;
}

function parseMerges(path: string, text: string): string[] {
  const lines = text.split(/\r?\n/);
  const first = lines[0]?.startsWith("#version") ? 1 : 0;
  const merges: string[] = [];
  for (let n = first; n < lines.length && merges.length < MAX_MERGES; n++) {
    const line = lines[n];
    if (line.length === 0) continue;
    const space = line.indexOf(" ");
    if (space <= 0 || space === line.length - 1 || line.indexOf(" ", space + 1) >= 0) {
      throw invalid(path, `line ${n + 1} (${JSON.stringify(line.slice(0, 40))}) is not two symbols separated by one space`);
    }
    merges.push(line);
  }
  return merges;
}

/** A special token as tokenizer files write it: a string, or an AddedToken object with `content`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && typeof (value as { content?: unknown }).content === "string")
    return (value as { content: string }).content;
  return undefined;
}

function specialTokens(...sources: (Record<string, unknown> | undefined)[]): Record<string, string> {
  const tokens: Record<string, string> = {};
  for (const source of sources) {
    for (const role of SPECIAL_ROLES) {
      const text = tokenText(source?.[role]);
      if (text !== undefined) tokens[role] = text;
    }
  }
  return tokens;
}

/**
 * Reads a CLIP tokenizer folder. vocab.json and merges.txt are required; the special tokens come from
 * tokenizer_config.json, overridden by special_tokens_map.json (as transformers does), and at least
 * one of the two must be there: it is what says that SDXL's tokenizer_2 pads with "!".
 */
export async function readTokenizerFiles(folder: string): Promise<TokenizerFiles> {
  const dir = resolve(folder);
  const reads = [
    readText(dir, "vocab.json"),
    readText(dir, "merges.txt"),
    readJsonIfPresent(dir, "tokenizer_config.json"),
    readJsonIfPresent(dir, "special_tokens_map.json"),
  ] as const;
  // Read together, reported in order: with both files missing, vocab.json is named, whichever read fails first.
  await Promise.allSettled(reads);
  const [vocabText, mergesText, config, map] = [await reads[0], await reads[1], await reads[2], await reads[3]];
  if (!config && !map) {
    throw missing(
      join(dir, "special_tokens_map.json"),
      dir,
      new Error("neither it nor tokenizer_config.json exists, and one of them names the pad token"),
    );
  }
  const maxLength = config?.model_max_length;
  return {
    dir,
    vocab: parseVocab(join(dir, "vocab.json"), vocabText),
    merges: parseMerges(join(dir, "merges.txt"), mergesText),
    specialTokens: specialTokens(config, map),
    ...(Number.isInteger(maxLength) && (maxLength as number) > 2 && (maxLength as number) <= 4096
      ? { modelMaxLength: maxLength as number }
      : {}),
  };
}
