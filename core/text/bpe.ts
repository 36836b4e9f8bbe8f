import { byteSymbols } from "./byte-unicode.js";

/** CLIP marks the last symbol of every word with this suffix; merges and vocabulary entries carry it. */
export const END_OF_WORD = "</w>";

// A long-lived runner tokenizes an open-ended stream of prompts; the cache is emptied when it reaches this size.
const CACHE_LIMIT = 20_000;

/**
 * Byte-level BPE as CLIP applies it to one word: the word's UTF-8 bytes as symbols, `</w>` appended to
 * the last, then repeatedly the adjacent pair with the lowest merge rank is merged everywhere in the
 * word (left to right, without overlap) until no adjacent pair has a rank. Results are cached by word.
 */
export class BytePairEncoder {
  private readonly cache = new Map<string, readonly string[]>();

  /**
   * `ranks` maps "first second" (one space, as in merges.txt) to the merge's priority, 0 first; `preset` holds words that bypass BPE
   * (CLIP's special tokens map to themselves).
   */
  constructor(
    private readonly ranks: ReadonlyMap<string, number>,
    private readonly preset: ReadonlyMap<string, readonly string[]> = new Map(),
  ) {}

  /** The BPE symbols of one pre-tokenized word. */
  encode(word: string): readonly string[] {
    const known = this.preset.get(word) ?? this.cache.get(word);
    if (known) return known;
    const symbols = this.merge(byteSymbols(word));
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, symbols);
    return symbols;
  }

  private merge(symbols: string[]): string[] {
    let word = symbols;
    word[word.length - 1] += END_OF_WORD;
    while (word.length > 1) {
      const best = this.lowestRankedPair(word);
      if (best === undefined) break;
      word = mergePair(word, word[best], word[best + 1]);
    }
    return word;
  }

  /** Index of the first symbol of the adjacent pair with the lowest rank, or undefined when none has one. */
  private lowestRankedPair(word: readonly string[]): number | undefined {
    let best: number | undefined;
    let bestRank = Infinity;
    for (let i = 0; i < word.length - 1; i++) {
      const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`);
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        best = i;
      }
    }
    return best;
  }
}

function mergePair(word: readonly string[], first: string, second: string): string[] {
  const merged: string[] = [];
  for (let i = 0; i < word.length; i++) {
    if (word[i] === first && i < word.length - 1 && word[i + 1] === second) {
      merged.push(first + second);
      i++;
    } else {
      merged.push(word[i]);
    }
  }
  return merged;
}
