/**
 * The text cleanup of transformers' slow `CLIPTokenizer` as diffusers loads it without ftfy (its
 * `BasicTokenizer(strip_accents=False, do_split_on_punc=False)` path; the golden data keeps curly
 * quotes, which ftfy would straighten): drop NUL, U+FFFD and every `C*` (control, format,
 * unassigned) character except tab and newlines; turn tab, newline, carriage return and `Zs`
 * spaces into a space; put spaces around CJK ideographs; NFC; split on whitespace; lower-case; join
 * with single spaces. The fast tokenizer's normalizer (NFC, `\s+` → " ", lowercase) gives the same
 * result except around CJK ideographs and format characters such as U+200D.
 */

// Dropped: format/control/unassigned/private/surrogate, except \t \n \r (which become spaces below).
const DROPPED = /[\0\uFFFD]|(?![\t\n\r])\p{C}/gu;
const SPACES = /[\t\n\r]|\p{Zs}/gu;
// BasicTokenizer._is_chinese_char: the CJK Unified Ideographs blocks and their extensions (not kana or hangul).
const CJK =
  /[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B820}-\u{2CEAF}\u{F900}-\u{FAFF}\u{2F800}-\u{2FA1F}]/gu;
const WHITESPACE = /\s+/u;
const ASCII_WHITESPACE = /[\t\n\r ]+/g;
const PLAIN_ASCII = /^[\t\n\r\x20-\x7e]*$/;

/** The prompt as CLIP's BPE sees it: cleaned, lower-cased, words separated by single spaces. */
export function cleanPromptText(text: string): string {
  // Printable ASCII (the common case) needs none of the Unicode steps, and lower-cases the same whole or by word.
  if (PLAIN_ASCII.test(text)) return text.replace(ASCII_WHITESPACE, " ").trim().toLowerCase();
  const cleaned = text.replace(DROPPED, "").replace(SPACES, " ").replace(CJK, " $& ").normalize("NFC");
  // Python lower-cases word by word: Greek final sigma depends on the word's end, not the text's.
  return cleaned
    .trim()
    .split(WHITESPACE)
    .map((word) => word.toLowerCase())
    .join(" ");
}
