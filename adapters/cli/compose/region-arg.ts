import type { BBox } from "../../../core/index.js";
import { invalidOption, type RegionSpec } from "../../../core/internal.js";

/** A `--region` value: a region as the composition takes it, or a mask image still to be read. */
export type RegionArg = RegionSpec | { readonly maskFile: string };

const FORMS = "x1,y1,x2,y2 | poly:x,y,x,y,x,y,... | mask:FILE.png | face | face:PADDING | canvas";

function numbers(text: string, option: string): number[] {
  const values = text.split(",").map((part) => Number(part.trim()));
  if (!text.trim() || values.some((v) => !Number.isFinite(v))) throw invalidOption(option, FORMS, text);
  return values;
}

/** Parses one `--region` value (see FORMS); `which` names it in errors, e.g. "--region #2". */
export function parseRegionArg(text: string, which = "--region"): RegionArg {
  if (text === "canvas") return { canvas: true };
  if (text === "face") return { face: {} };
  if (text.startsWith("face:")) return { face: { padding: numbers(text.slice(5), which)[0] } };
  if (text.startsWith("mask:") && text.length > 5) return { maskFile: text.slice(5) };
  if (text.startsWith("poly:")) {
    const values = numbers(text.slice(5), which);
    if (values.length < 6 || values.length % 2) throw invalidOption(which, "poly: with 3 or more x,y pairs", text);
    return { polygon: Array.from({ length: values.length / 2 }, (_, i) => [values[2 * i], values[2 * i + 1]] as const) };
  }
  const box = numbers(text, which);
  if (box.length !== 4) throw invalidOption(which, FORMS, text);
  return { rect: box as unknown as BBox };
}

/** Parses a value given once for all identities or once per identity (`0.8` or `0.8,0.6`). */
export function perIdentityNumbers(text: string, count: number, option: string): number[] {
  const values = numbers(text, option);
  if (values.length === 1) return Array(count).fill(values[0]);
  if (values.length !== count) throw invalidOption(option, `one number, or ${count} comma-separated (one per --identity)`, text);
  return values;
}
