import { ErrorCode, InstantIdError } from "../../../core/index.js";
import { invalidOption, type OverlapMode } from "../../../core/internal.js";
import { parseSize } from "../cli-values.js";
import type { CliOption } from "../command.js";
import { parseStrengths, strengthOptions } from "../strength-options.js";
import { parseRegionArg, perIdentityNumbers, type RegionArg } from "./region-arg.js";

/** The backends `instantid compose` can send a composition to. */
export const COMPOSE_BACKENDS = ["local", "a1111", "comfyui"] as const;
/** One of {@link COMPOSE_BACKENDS}. */
export type ComposeBackendName = (typeof COMPOSE_BACKENDS)[number];

/** Options of `instantid compose` that every backend shares. */
export const composeOptions: Record<string, CliOption> = {
  identity: {
    type: "string",
    multiple: true,
    value: "FILE",
    description: "An identity file (identity create); repeat for each person, left to right (required)",
  },
  region: {
    type: "string",
    multiple: true,
    value: "SPEC",
    description: "Region of the identity in the same position: x1,y1,x2,y2 | poly:x,y,... | mask:FILE.png | face[:PADDING] | canvas",
  },
  "kps-rect": {
    type: "string",
    multiple: true,
    value: "x1,y1,x2,y2",
    description: "Face box to fit the identity's keypoints into, in order (instead of the region's face slot)",
  },
  pose: { type: "string", value: "IMG", description: "Group photo whose faces give the keypoints, matched left to right (needs --models)" },
  "pose-faces": { type: "string", value: "I,J,...", description: "Pose face (0 = leftmost) for each identity, instead of left to right" },
  models: { type: "string", value: "DIR", description: "Face models (models.json), to analyse --pose" },
  size: {
    type: "string",
    value: "WxH",
    description: "Canvas size, multiples of 8 (default: the pose photo's, floored to multiples of 8, else 1024x1024)",
  },
  prompt: { type: "string", value: "TEXT", description: "The shared prompt (required)" },
  negative: { type: "string", value: "TEXT", description: "Negative prompt", default: "" },
  "region-prompt": {
    type: "string",
    multiple: true,
    value: "TEXT",
    description: "A prompt for each identity's region, in order (empty for none); local: give its embeddings with --region-embeds",
  },
  ...strengthOptions(true),
  start: { type: "string", value: "F[,F...]", description: "IdentityNet guidance start (fraction of the steps)", default: "0" },
  end: { type: "string", value: "F[,F...]", description: "IdentityNet guidance end", default: "1" },
  overlap: {
    type: "string",
    value: "MODE",
    description: "Overlapping regions: normalize (share), reject, or allow (sum)",
    default: "normalize",
  },
  backend: { type: "string", value: "NAME", description: "local, a1111 or comfyui (required unless only --preview)" },
  preview: { type: "string", value: "FILE", description: "Write the layout (regions and keypoints) to FILE first; alone, stop there" },
  "dry-run": { type: "string", value: "FILE", description: "a1111/comfyui: write the exact request to FILE instead of sending it" },
  out: { type: "string", short: "o", value: "OUT.png", description: "Where to save the image" },
};

/** `instantid compose`'s shared options, checked. */
export interface ComposeArgs {
  readonly identities: readonly string[];
  readonly regions: readonly (RegionArg | undefined)[];
  readonly kpsRects: readonly ([number, number, number, number] | undefined)[];
  readonly pose?: string;
  readonly poseFaces?: readonly number[];
  readonly models?: string;
  readonly size?: { width: number; height: number };
  readonly prompt: string;
  readonly negative: string;
  readonly regionPrompts: readonly (string | undefined)[];
  readonly adapterScales: readonly number[];
  readonly identityNetScales: readonly number[];
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  readonly overlap: OverlapMode;
  readonly backend?: ComposeBackendName;
  readonly preview?: string;
  readonly dryRun?: string;
  readonly out?: string;
}

/**
 * A repeatable option that pairs with `--identity` in order: none given, or exactly one per identity
 * (each parsed; all undefined when none).
 * @throws InstantIdError INVALID_OPTION when the count differs from the identities'.
 */
export function inIdentityOrder<T>(
  values: unknown,
  count: number,
  option: string,
  parse: (text: string, i: number) => T,
): (T | undefined)[] {
  const list = (values as string[] | undefined) ?? [];
  if (list.length && list.length !== count) {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `Expected one --${option} per --identity (${count}) but received ${list.length}; they pair up in order`,
    );
  }
  return Array.from({ length: count }, (_, i) => (list.length ? parse(list[i], i) : undefined));
}

/** Reads `instantid compose`'s options once, at the CLI boundary. */
export function parseComposeArgs(values: Record<string, unknown>): ComposeArgs {
  const identities = (values.identity as string[] | undefined) ?? [];
  if (!identities.length)
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      "Expected at least one --identity FILE (from instantid identity create) but received none",
    );
  const n = identities.length;
  const prompt = values.prompt as string | undefined;
  if (prompt === undefined) throw invalidOption("--prompt", "the text to generate", undefined);
  const backend = values.backend as string | undefined;
  if (backend !== undefined && !COMPOSE_BACKENDS.includes(backend as ComposeBackendName))
    throw invalidOption("--backend", COMPOSE_BACKENDS.join(" | "), backend);
  if (backend === undefined && values.preview === undefined)
    throw invalidOption("--backend", `${COMPOSE_BACKENDS.join(" | ")} (or only --preview FILE)`, undefined);
  const overlap = values.overlap as string;
  if (!["normalize", "reject", "allow"].includes(overlap)) throw invalidOption("--overlap", "normalize | reject | allow", overlap);
  if (values.pose !== undefined && values.models === undefined)
    throw invalidOption("--models", "a face models folder to analyse --pose", undefined);
  return {
    identities,
    regions: inIdentityOrder(values.region, n, "region", (text, i) => parseRegionArg(text, `--region #${i + 1}`)),
    kpsRects: inIdentityOrder(values["kps-rect"], n, "kps-rect", (text, i) => {
      const spec = parseRegionArg(text, `--kps-rect #${i + 1}`);
      if (!("rect" in spec)) throw invalidOption(`--kps-rect #${i + 1}`, "x1,y1,x2,y2", text);
      return [...spec.rect] as [number, number, number, number];
    }),
    pose: values.pose as string | undefined,
    poseFaces: values["pose-faces"] === undefined ? undefined : perIdentityNumbers(values["pose-faces"] as string, n, "--pose-faces"),
    models: values.models as string | undefined,
    size: values.size === undefined ? undefined : parseSize(values.size as string),
    prompt,
    negative: (values.negative as string | undefined) ?? "",
    regionPrompts: inIdentityOrder(values["region-prompt"], n, "region-prompt", (text) => text || undefined),
    adapterScales: parseStrengths(values, "adapterScale", n),
    identityNetScales: parseStrengths(values, "identityNetScale", n),
    starts: perIdentityNumbers(values.start as string, n, "--start"),
    ends: perIdentityNumbers(values.end as string, n, "--end"),
    overlap: overlap as OverlapMode,
    backend: backend as ComposeBackendName | undefined,
    preview: values.preview as string | undefined,
    dryRun: values["dry-run"] as string | undefined,
    out: values.out as string | undefined,
  };
}
