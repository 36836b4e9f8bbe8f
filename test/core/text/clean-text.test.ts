import { describe, expect, it } from "vitest";
import { cleanPromptText } from "../../../core/text/clean-text.js";

// transformers' slow CLIPTokenizer without ftfy (BasicTokenizer, strip_accents=False, no punctuation split).
describe("cleanPromptText", () => {
  it("lower-cases and collapses every run of whitespace to one space, trimming both ends", () => {
    expect(cleanPromptText("   A  Photo\n\tOF\r\na  Cat  ")).toBe("a photo of a cat");
  });

  it("turns Unicode space separators (NBSP, ideographic space) into spaces", () => {
    expect(cleanPromptText("a\u00a0b\u3000c")).toBe("a b c");
  });

  it("drops control and format characters instead of spacing them (form feed, ZWJ, soft hyphen, BOM)", () => {
    expect(cleanPromptText("form\ffeed soft\u00adhyphen zero\u200dwidth \ufeffbom")).toBe("formfeed softhyphen zerowidth bom");
  });

  it("composes to NFC before lower-casing", () => {
    expect(cleanPromptText("CAFE\u0301")).toBe("caf\u00e9");
  });

  it("puts spaces around CJK ideographs but not around kana or hangul", () => {
    expect(cleanPromptText("中文 のテキスト 한국어")).toBe("中 文 のテキスト 한국어");
  });

  it("keeps punctuation attached (CLIP's regex splits it later) and an empty prompt empty", () => {
    expect(cleanPromptText("(Masterpiece:1.2), “Quoted”")).toBe("(masterpiece:1.2), “quoted”");
    expect(cleanPromptText("")).toBe("");
    expect(cleanPromptText(" \n ")).toBe("");
  });
});
