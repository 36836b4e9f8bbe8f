import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../core/errors.js";
import { ClipTokenizer } from "../../../core/text/clip-tokenizer.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";
import { writeTinyTokenizer } from "../../helpers/text-models.js";

/**
 * Prompts tokenized by transformers 4.57.6's slow CLIPTokenizer (no ftfy, as diffusers runs it) with
 * SDXL's tokenizer/ files: the ids between <|startoftext|> and the final <|endoftext|>.
 */
const CHECKED_WITH_TRANSFORMERS: [string, number[]][] = [
  ["hello world!", [3306, 1002, 256]],
  ["wow!!! amazing!", [2781, 995, 1370, 256]],
  [
    "\u4e2d\u6587\u63d0\u793a\u8bcd \u4e00\u4e2a\u5973\u5b69",
    [19759, 511, 29032, 485, 162, 237, 494, 163, 97, 374, 164, 107, 491, 19759, 478, 19759, 359, 29290, 367, 35751, 358],
  ],
  ["\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8", [37156, 19277, 361, 34002, 508, 21575, 2429, 228, 47121, 32421, 486]],
  ["\ud55c\uad6d\uc5b4 \ud504\ub86c\ud504\ud2b8", [15197, 250, 31871, 255, 31625, 368, 29450, 34462, 94, 105, 29450, 226, 39820]],
  ["a\u200dzero width joiner \ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d\udc67", [854, 3732, 23571, 683, 5155, 18800, 18800, 964, 356]],
  ["soft\u00adhyphen", [1571, 7804, 745, 576]],
  ["tab\tand\fformfeed\u000bvertical", [14724, 672, 1157, 6662, 14293]],
  ["e\u0301 combining accent NFC", [4166, 23561, 18931, 23695]],
  ["\u00c9COLE \u0391\u03a3 Stra\u00dfe \u0130stanbul", [3459, 8166, 138, 109, 139, 480, 1894, 127, 253, 324, 328, 16384, 11231]],
  ["<|endoftext|> inside text <|startoftext|>", [49407, 2912, 4160, 49406]],
  ["x<|ENDOFTEXT|>y", [343, 49407, 344]],
  ["numbers 1234567890 \u00bd \u00b2 \u0663", [6121, 272, 273, 274, 275, 276, 277, 278, 279, 280, 271, 33613, 41175, 149, 352]],
  [
    "emoji \ud83c\udfa8\ud83d\uddbc\ufe0f \ud83e\uddd1\ud83c\udffd\u200d\ud83c\udfa8",
    [16327, 31953, 6269, 120, 1001, 8792, 239, 8514, 13461],
  ],
  ["quotes \"straight\" 'single' it's I'M", [5808, 257, 4241, 257, 568, 17005, 262, 585, 568, 328, 880]],
  ["&amp; &lt;html&gt; entities", [261, 6259, 282, 261, 3333, 282, 18231, 261, 4725, 282, 38134]],
  ["  leading and trailing   ", [3833, 537, 37427]],
  ["", []],
  ["\u00a0nbsp\u3000ideographic space\u2028line sep", [6459, 4393, 1909, 78, 4245, 2138, 1148, 10434]],
  [
    "url https://example.com/a_b-c?d=e#f",
    [23464, 30901, 12441, 6228, 269, 2464, 270, 320, 318, 321, 268, 322, 286, 323, 284, 324, 258, 325],
  ],
  ["snake_case_word and kebab-case-word", [8798, 318, 2068, 318, 2653, 537, 36497, 268, 2068, 268, 2653]],
  [
    "(masterpiece:1.2), [bad], {good}, <lora:x:0.5>",
    [263, 12066, 281, 272, 269, 273, 2361, 314, 2103, 34067, 346, 886, 92, 267, 283, 2179, 320, 281, 343, 281, 271, 269, 276, 285],
  ],
];

async function expectError(promise: Promise<unknown>, code: string, ...fragments: string[]) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error & { code: string },
  );
  expect(error, "expected an error").toBeDefined();
  expect(error!.code).toBe(code);
  for (const fragment of fragments) expect(error!.message).toContain(fragment);
}

describe("ClipTokenizer on a small CLIP-style folder", () => {
  it("lower-cases, applies the merges by rank and wraps the ids in start/end tokens padded to 77", async () => {
    const dir = await tempDir();
    const vocab = await writeTinyTokenizer(dir);
    const tokenizer = await ClipTokenizer.fromFolder(dir);
    const { ids, tokenCount, dropped } = tokenizer.encode("A CAT, cats");
    const [bos, eos] = [vocab.get("<|startoftext|>")!, vocab.get("<|endoftext|>")!];
    expect(ids.slice(0, 6)).toEqual([bos, vocab.get("a</w>"), vocab.get("cat</w>"), vocab.get(",</w>"), vocab.get("cats</w>"), eos]);
    expect(ids).toHaveLength(77);
    expect(ids.slice(6).every((id) => id === eos)).toBe(true);
    expect([tokenCount, dropped]).toEqual([4, 0]);
  });

  it("pads with the folder's own pad token, written as a string or as an AddedToken object", async () => {
    for (const pad of ["!", { content: "!" }]) {
      const dir = await tempDir();
      const vocab = await writeTinyTokenizer(dir, { pad });
      const { ids } = (await ClipTokenizer.fromFolder(dir)).encode("the");
      expect(ids.slice(0, 4)).toEqual([vocab.get("<|startoftext|>"), vocab.get("the</w>"), vocab.get("<|endoftext|>"), vocab.get("!")]);
      expect(new Set(ids.slice(3))).toEqual(new Set([vocab.get("!")]));
    }
  });

  it("keeps the first 75 tokens of a long prompt, ends it with the end token and counts what was dropped", async () => {
    const dir = await tempDir();
    const vocab = await writeTinyTokenizer(dir);
    const { ids, tokenCount, dropped } = (await ClipTokenizer.fromFolder(dir)).encode(
      Array.from({ length: 100 }, (_, i) => (i < 75 ? "the" : "cat")).join(" "),
    );
    expect(ids).toHaveLength(77);
    expect(ids.slice(1, 76).every((id) => id === vocab.get("the</w>"))).toBe(true);
    expect(ids[76]).toBe(vocab.get("<|endoftext|>"));
    expect([tokenCount, dropped]).toEqual([100, 25]);
  });

  it("tokenizes any text: control characters, lone surrogates, emoji and unseen scripts give ids inside the vocabulary", async () => {
    const dir = await tempDir();
    const vocab = await writeTinyTokenizer(dir);
    const tokenizer = await ClipTokenizer.fromFolder(dir);
    const ids = tokenizer.tokenize("\u0000\u0007x\ud800y 🧑🏽‍🎨 ქართული ∑∫ \uffff");
    expect(ids.length).toBeGreaterThan(10);
    expect(ids.every((id) => id >= 0 && id < vocab.size)).toBe(true);
  });

  it("names the missing file and where the folder comes from", async () => {
    const dir = await tempDir();
    await writeTinyTokenizer(dir, { files: ["merges.txt", "special_tokens_map.json"] });
    await expectError(ClipTokenizer.fromFolder(dir), ErrorCode.ModelNotFound, join(dir, "vocab.json"), "tokenizer_2/", "SDXL export");
  });

  it("refuses a folder without special_tokens_map.json or tokenizer_config.json (they name the pad token)", async () => {
    const dir = await tempDir();
    await writeTinyTokenizer(dir, { files: ["vocab.json", "merges.txt"] });
    await expectError(ClipTokenizer.fromFolder(dir), ErrorCode.ModelNotFound, "special_tokens_map.json", "pad token");
  });

  it("refuses a merges.txt line that is not two symbols", async () => {
    const dir = await tempDir();
    await writeTinyTokenizer(dir);
    await (await import("node:fs/promises")).writeFile(join(dir, "merges.txt"), "#version: 0.2\nc a\nbroken\n");
    await expectError(ClipTokenizer.fromFolder(dir), ErrorCode.ModelInvalid, "merges.txt", "line 3");
  });

  it("refuses a pad token that the vocabulary lacks", async () => {
    const dir = await tempDir();
    await writeTinyTokenizer(dir, { pad: "<pad>" });
    await expectError(ClipTokenizer.fromFolder(dir), ErrorCode.ModelInvalid, 'pad_token "<pad>"');
  });
});

describeShared("ClipTokenizer with SDXL's CLIP vocabulary (golden/text)", "golden/text", () => {
  const folder = (name: string) => sharedPath("golden", "text", name);

  it("gives the reference ids of every golden case with both folders", async () => {
    const [t1, t2] = await Promise.all([ClipTokenizer.fromFolder(folder("tokenizer")), ClipTokenizer.fromFolder(folder("tokenizer_2"))]);
    const { cases } = JSON.parse(await readFile(folder("cases.json"), "utf8")) as {
      cases: { name: string; prompt: string; input_ids: number[]; input_ids_2: number[] }[];
    };
    for (const c of cases) {
      expect(t1.encode(c.prompt).ids, c.name).toEqual(c.input_ids);
      expect(t2.encode(c.prompt).ids, c.name).toEqual(c.input_ids_2);
    }
  });

  it("matches transformers' CLIPTokenizer on unicode, CJK, emoji, control characters, entities, URLs and special-token text", async () => {
    const tokenizer = await ClipTokenizer.fromFolder(folder("tokenizer"));
    for (const [prompt, expected] of CHECKED_WITH_TRANSFORMERS) {
      expect(tokenizer.tokenize(prompt), JSON.stringify(prompt)).toEqual(expected);
    }
  });

  it("pads tokenizer_2 with '!' (id 0) and tokenizer with <|endoftext|>, while a '!' in the text is BPE-merged like any text", async () => {
    const [t1, t2] = await Promise.all([ClipTokenizer.fromFolder(folder("tokenizer")), ClipTokenizer.fromFolder(folder("tokenizer_2"))]);
    expect([t1.padId, t2.padId, t2.eosId]).toEqual([49407, 0, 49407]);
    // As the golden reference tokenizes "ISO400!!": "!!</w>" is one token (748), not two pad ids.
    expect(t2.encode("wow!!").ids.slice(0, 5)).toEqual([49406, 2781, 748, 49407, 0]);
  });
});
