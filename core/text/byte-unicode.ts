/**
 * GPT-2/CLIP's reversible map from the 256 byte values to printable Unicode characters, so that BPE
 * works on strings without whitespace or control characters: printable Latin-1 bytes map to
 * themselves, the other 68 to U+0100 onwards, in byte order (`bytes_to_unicode` in CLIP's
 * simple_tokenizer.py and transformers' tokenization_clip.py).
 */
function buildByteTable(): readonly string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = [];
  let next = 256;
  for (let b = 0; b < 256; b++) table.push(String.fromCodePoint(printable(b) ? b : next++));
  return table;
}

/** `BYTE_TO_UNICODE[b]` is the character standing for byte `b`. */
export const BYTE_TO_UNICODE: readonly string[] = buildByteTable();

const utf8 = new TextEncoder();

/** A word's UTF-8 bytes as BPE symbols, one character per byte. */
export function byteSymbols(word: string): string[] {
  const bytes = utf8.encode(word);
  const symbols = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) symbols[i] = BYTE_TO_UNICODE[bytes[i]];
  return symbols;
}
