import { ErrorCode, InstantIdError } from "../errors.js";
import { BytePairEncoder } from "./bpe.js";
import { cleanPromptText } from "./clean-text.js";
import { readTokenizerFiles, type TokenizerFiles } from "./tokenizer-files.js";

/** CLIP's context length, used when tokenizer_config.json does not give `model_max_length`. */
export const CLIP_MAX_LENGTH = 77;

/** One prompt as a text encoder takes it. */
export interface TokenizedPrompt {
  /** Exactly `maxLength` ids: start token, the prompt's tokens (truncated), end token, then the pad token. */
  readonly ids: readonly number[];
  /** How many tokens the prompt has before truncation, without the start and end tokens. */
  readonly tokenCount: number;
  /** How many of them were cut to fit (diffusers drops them with a warning). */
  readonly dropped: number;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** CLIP's pre-tokenizer: the special tokens, English contractions, letter runs, single digits, other non-space runs. */
function wordPattern(specials: readonly string[]): RegExp {
  const alternatives = [
    ...specials.map(escapeRegex),
    "'s",
    "'t",
    "'re",
    "'ve",
    "'m",
    "'ll",
    "'d",
    "\\p{L}+",
    "\\p{N}",
    "[^\\s\\p{L}\\p{N}]+",
  ];
  return new RegExp(alternatives.join("|"), "giu");
}

/**
 * CLIP's tokenizer (transformers' `CLIPTokenizer`, as diffusers runs it for SDXL): text cleanup and
 * lower-casing ({@link cleanPromptText}), the pre-tokenizer regex, byte-level BPE with the merges'
 * ranks and `</w>` at each word's end, then start/end tokens, truncation and padding to 77 with the
 * folder's own pad token. Byte-level BPE has no unknown characters: any text tokenizes.
 */
export class ClipTokenizer {
  readonly maxLength: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  private readonly unkId: number;
  private readonly bpe: BytePairEncoder;
  private readonly pattern: RegExp;

  private constructor(private readonly files: TokenizerFiles) {
    const special = (role: string, fallback?: string) => {
      const token = files.specialTokens[role] ?? fallback;
      const id = token === undefined ? undefined : files.vocab.get(token);
      if (id === undefined) {
        throw new InstantIdError(
          ErrorCode.ModelInvalid,
          `The CLIP tokenizer in ${files.dir} names ` +
            `${token === undefined ? `no ${role}` : `${role} ${JSON.stringify(token)}, which vocab.json lacks`}. Use the ` +
            `tokenizer folder that came with the text encoder.`,
          { details: { dir: files.dir, role } },
        );
      }
      return { token: token!, id };
    };
    const bos = special("bos_token", "<|startoftext|>");
    const eos = special("eos_token", "<|endoftext|>");
    this.bosId = bos.id;
    this.eosId = eos.id;
    this.padId = special("pad_token", eos.token).id;
    this.unkId = special("unk_token", eos.token).id;
    this.maxLength = files.modelMaxLength ?? CLIP_MAX_LENGTH;
    const ranks = new Map(files.merges.map((merge, rank) => [merge, rank]));
    this.bpe = new BytePairEncoder(ranks, new Map([bos.token, eos.token].map((t) => [t, [t]])));
    this.pattern = wordPattern([bos.token, eos.token]);
  }

  /** Reads vocab.json, merges.txt and the special tokens of a tokenizer folder (`tokenizer/`, `tokenizer_2/`). */
  static async fromFolder(dir: string): Promise<ClipTokenizer> {
    return new ClipTokenizer(await readTokenizerFiles(dir));
  }

  /** A tokenizer from files already read (see {@link readTokenizerFiles}). */
  static fromFiles(files: TokenizerFiles): ClipTokenizer {
    return new ClipTokenizer(files);
  }

  /** The folder the tokenizer was read from. */
  get dir(): string {
    return this.files.dir;
  }

  /** The prompt's token ids, without start, end or padding, and not truncated. */
  tokenize(text: string): number[] {
    const ids: number[] = [];
    for (const [word] of cleanPromptText(text).matchAll(this.pattern)) {
      for (const symbol of this.bpe.encode(word)) ids.push(this.files.vocab.get(symbol) ?? this.unkId);
    }
    return ids;
  }

  /** The ids a text encoder takes: [start, tokens…, end, pad…], `maxLength` long, tokens beyond `maxLength − 2` dropped. */
  encode(text: string): TokenizedPrompt {
    const tokens = this.tokenize(text);
    const room = this.maxLength - 2;
    const kept = Math.min(tokens.length, room);
    const ids = new Array<number>(this.maxLength).fill(this.padId);
    ids[0] = this.bosId;
    for (let i = 0; i < kept; i++) ids[i + 1] = tokens[i];
    ids[kept + 1] = this.eosId;
    return { ids, tokenCount: tokens.length, dropped: tokens.length - kept };
  }
}
