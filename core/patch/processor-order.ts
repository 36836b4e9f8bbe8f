import type { CrossAttentionSite } from "./attention-sites.js";
import type { GraphEditor } from "../onnx/graph.js";
import { findUnetSkips } from "./unet-skips.js";

/** A cross-attention block with its diffusers processor key (1, 3, 5, ...: its place in `unet.attn_processors`). */
export interface KeyedSite {
  readonly key: number;
  /** The diffusers module path, from node names or inferred from the graph's structure. */
  readonly module: string;
  readonly section: "down" | "up" | "mid";
  readonly site: CrossAttentionSite;
}

const SECTION_RANK = { down: 0, up: 1, mid: 2 } as const;

/**
 * Puts blocks in diffusers' processor order (down blocks, up blocks, mid block) and numbers them
 * 1, 3, 5, ... (self-attention takes the even keys). Blocks named by the exporter sort by module path;
 * unnamed ones are split into down/mid/up by the UNet's skip connections (see {@link sectionsByStructure}).
 */
export function assignProcessorKeys(editor: GraphEditor, sites: readonly CrossAttentionSite[]): KeyedSite[] {
  const named = sites.every((s) => s.module !== undefined);
  const sections = named ? sites.map((s) => sectionOfModule(s.module!)) : sectionsByStructure(editor, sites);
  const ranked = sites.map((site, i) => ({ site, section: sections[i], sortKey: named ? moduleNumbers(site.module!) : [site.position] }));
  ranked.sort((a, b) => SECTION_RANK[a.section] - SECTION_RANK[b.section] || compareNumbers(a.sortKey, b.sortKey));
  return ranked.map((r, i) => ({
    key: 2 * i + 1,
    module: r.site.module ?? `${r.section}[${i}] (unnamed)`,
    section: r.section,
    site: r.site,
  }));
}

function sectionOfModule(module: string): KeyedSite["section"] {
  return module.startsWith("down_blocks") ? "down" : module.startsWith("up_blocks") ? "up" : "mid";
}

function moduleNumbers(module: string): number[] {
  return [...module.matchAll(/\d+/g)].map((m) => Number(m[0]));
}

function compareNumbers(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Without names, a UNet still shows its shape (see {@link findUnetSkips}): blocks after the up path's
 * first skip Concat are "up"; blocks before the last skip tensor was made are "down"; those in
 * between are the mid block.
 */
export function sectionsByStructure(editor: GraphEditor, sites: readonly CrossAttentionSite[]): KeyedSite["section"][] {
  const skips = findUnetSkips(editor);
  if (!skips) return sites.map(() => "down");
  const upStart = Math.min(...skips.skips.map((s) => editor.position(s.concat)));
  const downEnd = Math.max(...skips.skips.map((s) => editor.position(editor.producer(s.source)!)));
  return sites.map((s) => (s.position > upStart ? "up" : s.position > downEnd ? "mid" : "down"));
}
