// An SVG diagram of SDXL's UNet marking where each InstantID hook acts. Layer counts come from the SDK's
// own description of SDXL (SDXL_UNET, crossAttentionSites), so the picture follows the code.
import { crossAttentionSites, SDXL_UNET } from "../../core/index.js";

const IMAGE_ADAPTER = "#e07b00";
const IDENTITY_NET = "#7b3fb5";
const BLOCK = "#eef2f7";

interface Block {
  readonly id: string;
  readonly lines: readonly string[];
  readonly x: number;
  readonly y: number;
  readonly height: number;
  /** The skip connections this down block hands to the up path (SDXL at 1024², latent 128²). */
  readonly skips?: string;
}

const COLUMN = 250;
const DOWN_X = 170;
const UP_X = 630;
const BUS_X = 525;
const WIDTH = 1180;
const MID_WIDTH = 262;
const HEIGHT = 740;

/** Cross-attention layers per block prefix ("down_blocks.1", "mid_block", ...). */
function attn2Counts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const site of crossAttentionSites(SDXL_UNET)) {
    const block = site.modulePath.split(".attentions.")[0];
    counts.set(block, (counts.get(block) ?? 0) + 1);
  }
  return counts;
}

const DOWN: Block[] = [
  { id: "conv_in", lines: ["conv_in", "320 ch, 128²"], x: DOWN_X, y: 70, height: 44, skips: "skip 0" },
  { id: "down_blocks.0", lines: ["down_blocks.0", "ResNet × 2, 320 ch, 128²"], x: DOWN_X, y: 140, height: 60, skips: "skips 1–3" },
  {
    id: "down_blocks.1",
    lines: ["down_blocks.1", "ResNet+Transformer × 2, 640 ch, 64²"],
    x: DOWN_X,
    y: 226,
    height: 84,
    skips: "skips 4–6",
  },
  {
    id: "down_blocks.2",
    lines: ["down_blocks.2", "ResNet+Transformer × 2, 1280 ch, 32²"],
    x: DOWN_X,
    y: 336,
    height: 84,
    skips: "skips 7–8",
  },
];
const UP: Block[] = [
  { id: "conv_out", lines: ["conv_out", "→ predicted noise"], x: UP_X, y: 70, height: 44 },
  { id: "up_blocks.2", lines: ["up_blocks.2", "ResNet × 3, 320 ch, 128²"], x: UP_X, y: 140, height: 60 },
  { id: "up_blocks.1", lines: ["up_blocks.1", "ResNet+Transformer × 3, 640 ch, 64²"], x: UP_X, y: 226, height: 84 },
  { id: "up_blocks.0", lines: ["up_blocks.0", "ResNet+Transformer × 3, 1280 ch, 32²"], x: UP_X, y: 336, height: 84 },
];
const MID: Block = { id: "mid_block", lines: ["mid_block", "ResNet, Transformer, ResNet; 1280 ch"], x: 250, y: 470, height: 84 };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const text = (x: number, y: number, s: string, attrs = "") => `<text x="${x}" y="${y}" ${attrs}>${esc(s)}</text>`;
const line = (x1: number, y1: number, x2: number, y2: number, color: string, attrs = "") =>
  `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${color}" stroke-width="2" ${attrs}/>`;
const plus = (x: number, y: number) =>
  `<circle cx="${x}" cy="${y}" r="8" fill="#fff" stroke="${IDENTITY_NET}" ` +
  `stroke-width="2"/>${text(x, y + 5, "+", `text-anchor="middle" fill="${IDENTITY_NET}" font-weight="bold"`)}`;

function block(b: Block, counts: Map<string, number>, width = COLUMN): string {
  const parts = [`<rect x="${b.x}" y="${b.y}" width="${width}" height="${b.height}" rx="6" fill="${BLOCK}" stroke="#56657a"/>`];
  b.lines.forEach((s, i) => parts.push(text(b.x + 10, b.y + 18 + i * 16, s, i === 0 ? `font-weight="bold"` : "")));
  const attn2 = counts.get(b.id);
  if (attn2) {
    parts.push(`<rect x="${b.x + 10}" y="${b.y + b.height - 30}" width="${width - 20}" height="22" rx="4" fill="${IMAGE_ADAPTER}"/>`);
    parts.push(text(b.x + 18, b.y + b.height - 14, `attn2 × ${attn2}: text + image branch`, `fill="#fff"`));
  }
  return parts.join("");
}

const arrow = `marker-end="url(#arrow)"`;
const path = (points: readonly (readonly [number, number])[], color: string, attrs = "") =>
  `<polyline points="${points.map((p) => p.join(",")).join(" ")}" fill="none" stroke="${color}" stroke-width="2" ${attrs}/>`;

function skip(b: Block): string {
  const y = b.y + b.height / 2;
  return [
    line(DOWN_X + COLUMN, y, UP_X, y, "#56657a", arrow),
    plus(BUS_X, y),
    text(DOWN_X + COLUMN + 8, y - 8, b.skips ?? "", `font-size="11"`),
  ].join("");
}

// The mid block's output runs to up_blocks.0; its residual joins where the bus crosses it.
function midPath(): { parts: string; plusY: number } {
  const y = MID.y + MID.height / 2;
  const up = UP[UP.length - 1];
  const upX = UP_X + COLUMN - 40;
  return {
    parts:
      path(
        [
          [MID.x + MID_WIDTH, y],
          [upX, y],
          [upX, up.y + up.height],
        ],
        "#56657a",
        arrow,
      ) + text(BUS_X + 12, y + 22, "mid residual", `font-size="11"`),
    plusY: y,
  };
}

function identityNet(topY: number, midY: number): string {
  const dashed = `stroke-dasharray="6 3"`;
  return [
    `<rect x="20" y="590" width="360" height="130" rx="6" fill="#f5effb" stroke="${IDENTITY_NET}" stroke-width="2"/>`,
    text(30, 610, "IdentityNet (a ControlNet: copy of the encoder)", `font-weight="bold" fill="${IDENTITY_NET}"`),
    text(30, 628, "in: keypoint image (5 points on black)"),
    text(30, 644, "    + face tokens as its text context"),
    text(30, 660, "out: 9 down residuals + 1 mid residual,"),
    text(30, 676, "    × scale (× face mask), only in [start, end]"),
    text(30, 706, "createIdentityNetHook", `font-family="monospace" fill="${IDENTITY_NET}"`),
    path(
      [
        [380, 655],
        [BUS_X, 655],
        [BUS_X, topY + 8],
      ],
      IDENTITY_NET,
      dashed,
    ),
    plus(BUS_X, midY),
    text(BUS_X + 6, 645, "residuals added to the skips", `font-size="11" fill="${IDENTITY_NET}"`),
  ].join("");
}

function imageAdapter(): string {
  const x = UP_X + COLUMN + 20;
  const mono = `font-family="monospace" font-size="11"`;
  return [
    `<rect x="${x}" y="180" width="${WIDTH - x - 10}" height="220" rx="6" fill="#fff5e8" stroke="${IMAGE_ADAPTER}" stroke-width="2"/>`,
    text(x + 10, 200, "Image Adapter", `font-weight="bold" fill="${IMAGE_ADAPTER}"`),
    text(x + 10, 220, "face embedding (512)"),
    text(x + 10, 236, "→ Resampler → 16 face tokens"),
    text(x + 10, 258, "each attn2 (orange) adds"),
    text(x + 10, 276, "scale · Attn(q, K_img, V_img)", mono),
    text(x + 10, 292, "K_img = tokens · to_k_ip", mono),
    text(x + 10, 308, "V_img = tokens · to_v_ip", mono),
    text(x + 10, 324, "beside Attn(q, K_text, V_text)", mono),
    text(x + 10, 348, "patchImageAdapter adds the branch"),
    text(x + 10, 364, "to the ONNX UNet once;"),
    text(x + 10, 388, "createImageAdapterHook", `font-family="monospace" fill="${IMAGE_ADAPTER}"`),
  ].join("");
}

/** The diagram as SVG text: SDXL's UNet, the Image Adapter's image branch in every attn2, IdentityNet's residuals into the skips. */
export function unetHooksDiagram(): string {
  const counts = attn2Counts();
  const parts: string[] = [];
  DOWN.forEach((b) => parts.push(block(b, counts), skip(b)));
  UP.forEach((b) => parts.push(block(b, counts)));
  parts.push(block(MID, counts, MID_WIDTH));
  for (let i = 0; i + 1 < DOWN.length; i++)
    parts.push(line(DOWN_X + 40, DOWN[i].y + DOWN[i].height, DOWN_X + 40, DOWN[i + 1].y, "#56657a", arrow));
  for (let i = UP.length - 1; i > 0; i--)
    parts.push(line(UP_X + COLUMN - 40, UP[i].y, UP_X + COLUMN - 40, UP[i - 1].y + UP[i - 1].height, "#56657a", arrow));
  const last = DOWN[DOWN.length - 1];
  parts.push(line(MID.x + 70, last.y + last.height, MID.x + 70, MID.y, "#56657a", arrow));
  const mid = midPath();
  parts.push(mid.parts, identityNet(DOWN[0].y + DOWN[0].height / 2, mid.plusY), imageAdapter());
  parts.push(
    text(DOWN_X, 40, "noisy latent 4 × 128² (1024 px), timestep, prompt", `font-size="12"`),
    text(UP_X, 40, "predicted noise 4 × 128²", `font-size="12"`),
  );
  parts.push(text(420, 690, `SDXL: ${crossAttentionSites(SDXL_UNET).length} cross-attention (attn2) layers.`, `font-size="12"`));
  parts.push(text(420, 708, "composeHooks sums the residuals of every hook (more faces, other ControlNets).", `font-size="12"`));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
      `font-family="Helvetica, Arial, sans-serif" font-size="12" fill="#1d2633">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 ` +
      `L10,5 L0,10 z" fill="#56657a"/></marker></defs>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    ...parts,
    `</svg>`,
    "",
  ].join("\n");
}
