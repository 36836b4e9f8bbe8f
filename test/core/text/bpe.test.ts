import { describe, expect, it } from "vitest";
import { BytePairEncoder } from "../../../core/text/bpe.js";

const ranks = (merges: string[]) => new Map(merges.map((m, i) => [m, i]));

describe("BytePairEncoder", () => {
  it("marks the last symbol with </w> and applies the lowest-ranked merge first", () => {
    const bpe = new BytePairEncoder(ranks(["a b", "b c</w>", "ab c</w>"]));
    // "a b" (rank 0) wins over "b c</w>" (rank 1): ab, c</w> → abc</w>.
    expect(bpe.encode("abc")).toEqual(["abc</w>"]);
  });

  it("merges every occurrence of the chosen pair left to right without overlap", () => {
    const bpe = new BytePairEncoder(ranks(["a a"]));
    expect(bpe.encode("aaaa")).toEqual(["aa", "a", "a</w>"]);
    expect(bpe.encode("aaa")).toEqual(["aa", "a</w>"]);
  });

  it("leaves symbols without a merge as single bytes and returns preset words untouched", () => {
    const bpe = new BytePairEncoder(ranks([]), new Map([["<|endoftext|>", ["<|endoftext|>"]]]));
    expect(bpe.encode("é")).toEqual(["Ã", "©</w>"]);
    expect(bpe.encode("<|endoftext|>")).toEqual(["<|endoftext|>"]);
  });

  it("returns the same symbols from its cache", () => {
    const bpe = new BytePairEncoder(ranks(["c a"]));
    const first = bpe.encode("cat");
    expect(bpe.encode("cat")).toBe(first);
    expect(first).toEqual(["ca", "t</w>"]);
  });
});
