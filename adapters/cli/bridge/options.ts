import { ErrorCode, InstantIdError, loadImage, workingSize } from "../../../core/index.js";
import { invalidOption } from "../../../core/internal.js";
import type { CliOption } from "../command.js";
import { parseRunArgs, serverOptions, type RunArgs } from "../compose/server-options.js";
import { parseStrength, strengthOptions } from "../strength-options.js";

/** The output size without --size or --pose. */
const DEFAULT_SIZE = "1024x1024";

/** The options `instantid a1111 txt2img` and `instantid comfyui txt2img` share. */
export const bridgeOptions: Record<string, CliOption> = {
  url: { type: "string", value: "URL", description: "Server root, e.g. http://127.0.0.1:7860 (required unless --dry-run)" },
  face: {
    type: "string",
    multiple: true,
    value: "IMG",
    description: "Face photo; repeat for several identities, side by side left to right (a composition, as instantid compose)",
  },
  identity: {
    type: "string",
    multiple: true,
    value: "FILE",
    description: "Identity file (instantid identity create), after the --face identities; A1111 only",
  },
  prompt: { type: "string", value: "TEXT", description: "The prompt (required)" },
  negative: { type: "string", value: "TEXT", description: "Negative prompt", default: "" },
  pose: {
    type: "string",
    value: "IMG",
    description:
      "Photo whose face positions give the keypoints, fitted whole with one scale factor (one face per identity, matched left to " +
      "right; not for SD.Next, which takes them from the face photo)",
  },
  models: {
    type: "string",
    value: "DIR",
    description:
      "Face models (models.json): analyse the faces here and draw the keypoint images (needed for several --face photos). Only " +
      "sd-webui-controlnet then needs no insightface (the embedding goes as ipadapter_input); Forge computes the embedding " +
      "from the photo, SD.Next analyses the photo itself, and ComfyUI_InstantID's Apply nodes always run insightface on the server",
  },
  ...strengthOptions(),
  steps: serverOptions.steps,
  cfg: serverOptions.cfg,
  size: {
    type: "string",
    value: "WxH",
    description:
      "Output size (default 1024x1024; with --pose, the pose photo's working size as InstantID's app has it: long side 1280, " +
      "both sides floored to multiples of 64)",
  },
  seed: serverOptions.seed,
  out: { type: "string", short: "o", value: "OUT.png", description: "Where to save the image (its info goes beside it as .json)" },
  "dry-run": { type: "string", value: "FILE", description: "Write the exact request to FILE instead of sending it" },
  auth: { type: "string", value: "USER:PASS", description: "HTTP basic auth" },
  timeout: serverOptions.timeout,
};

/** Parsed shared options. */
export interface BridgeArgs extends RunArgs {
  readonly url?: string;
  readonly faces: string[];
  readonly identities: string[];
  readonly prompt: string;
  readonly negative: string;
  readonly pose?: string;
  readonly models?: string;
  readonly adapterScale: number;
  readonly identityNetScale: number;
  readonly width: number;
  readonly height: number;
  /** Whether --size was given (else the size is a default, see {@link resolveBridgeSize}). */
  readonly sizeGiven: boolean;
  readonly out?: string;
  readonly dryRun?: string;
}

/** Reads and checks the shared options once, at the CLI boundary. */
export function parseBridgeArgs(values: Record<string, unknown>): BridgeArgs {
  const faces = (values.face as string[] | undefined) ?? [];
  const identities = (values.identity as string[] | undefined) ?? [];
  if (!faces.length && !identities.length)
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      "Expected at least one face photo (--face me.jpg) or identity file (--identity me.iid) but received none",
    );
  const prompt = values.prompt as string | undefined;
  if (prompt === undefined) throw invalidOption("--prompt", "the text to generate", undefined);
  const size = /^(\d+)x(\d+)$/.exec(String(values.size ?? DEFAULT_SIZE));
  const [width, height] = size ? [Number(size[1]), Number(size[2])] : [NaN, NaN];
  if (!size || width % 8 || height % 8 || width < 64 || height < 64 || width > 4096 || height > 4096)
    throw invalidOption("--size", "WxH, multiples of 8 between 64 and 4096", values.size);
  if (!values["dry-run"] && !values.url)
    throw new InstantIdError(ErrorCode.InvalidOption, "Expected --url (the server) or --dry-run FILE (write the request only)");
  if (!values["dry-run"] && !values.out) throw invalidOption("--out", "a file to save the image to (-o OUT.png)", undefined);
  return {
    url: values.url as string | undefined,
    faces,
    identities,
    prompt,
    negative: (values.negative as string | undefined) ?? "",
    pose: values.pose as string | undefined,
    models: values.models as string | undefined,
    adapterScale: parseStrength(values, "adapterScale"),
    identityNetScale: parseStrength(values, "identityNetScale"),
    width,
    height,
    sizeGiven: values.size !== undefined,
    out: values.out as string | undefined,
    dryRun: values["dry-run"] as string | undefined,
    ...parseRunArgs(values),
  };
}

/**
 * The output size: `--size`, else with `--pose` the pose photo's working size (`workingSize`, InstantID's
 * `resize_img`: the app generates at the size of the keypoint image it draws on the resized pose photo),
 * else 1024x1024.
 */
export async function resolveBridgeSize(args: BridgeArgs): Promise<BridgeArgs> {
  if (args.sizeGiven || !args.pose) return args;
  const pose = await loadImage(args.pose);
  return { ...args, ...workingSize(pose) };
}
