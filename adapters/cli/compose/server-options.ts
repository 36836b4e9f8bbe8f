import type { Composition } from "../../../core/index.js";
import { invalidOption } from "../../../core/internal.js";
import type { CliOption } from "../command.js";
import { numberOption } from "../cli-values.js";

/** Options the server backends (a1111, comfyui) of `instantid compose` share. */
export const serverOptions: Record<string, CliOption> = {
  url: { type: "string", value: "URL", description: "a1111/comfyui: server root (required unless --dry-run)" },
  face: {
    type: "string",
    multiple: true,
    value: "IMG",
    description:
      "a1111 (Forge, SD.Next) and comfyui: the face photo of each identity, in order; those servers read the embedding from a photo",
  },
  steps: { type: "string", value: "N", description: "Sampling steps", default: "30" },
  cfg: { type: "string", value: "S", description: "Guidance scale", default: "5" },
  seed: { type: "string", value: "N", description: "Seed (random when left out)" },
  auth: { type: "string", value: "USER:PASS", description: "a1111/comfyui: HTTP basic auth" },
  timeout: { type: "string", value: "SECONDS", description: "Timeout of one generation", default: "900" },
};

/** The sampling and connection options every server command takes (`--steps --cfg --seed --auth --timeout`), checked. */
export interface RunArgs {
  readonly steps: number;
  readonly cfg: number;
  readonly seed?: number;
  readonly auth?: { username: string; password: string };
  readonly timeoutMs: number;
}

/** The server options, checked. */
export interface ServerArgs extends RunArgs {
  readonly url?: string;
  readonly faces: readonly string[];
}

/** Reads `--steps --cfg --seed --auth --timeout`: the bridges' txt2img and `instantid compose` check them alike. */
export function parseRunArgs(values: Record<string, unknown>): RunArgs {
  const auth = values.auth as string | undefined;
  if (auth !== undefined && !auth.includes(":")) throw invalidOption("--auth", "USER:PASS", auth);
  return {
    steps: numberOption(values, "steps", (n) => Number.isInteger(n) && n >= 1 && n <= 150, "an integer from 1 to 150"),
    cfg: numberOption(values, "cfg", (n) => n >= 0 && n <= 30, "a number from 0 to 30"),
    seed:
      values.seed === undefined
        ? undefined
        : numberOption(values, "seed", (n) => Number.isSafeInteger(n) && n >= 0, "a whole number of 0 or more"),
    auth: auth ? { username: auth.slice(0, auth.indexOf(":")), password: auth.slice(auth.indexOf(":") + 1) } : undefined,
    timeoutMs: numberOption(values, "timeout", (n) => n > 0, "a positive number of seconds") * 1000,
  };
}

/** Reads the server options; `--face` must name one photo per identity when given. */
export function parseServerArgs(values: Record<string, unknown>, composition: Composition, dryRun: boolean): ServerArgs {
  const faces = (values.face as string[] | undefined) ?? [];
  if (faces.length && faces.length !== composition.identities.length)
    throw invalidOption("--face", `one photo per --identity (${composition.identities.length}), in order`, `${faces.length} photos`);
  if (!dryRun && !values.url) throw invalidOption("--url", "the server root (or --dry-run FILE)", undefined);
  return { url: values.url as string | undefined, faces, ...parseRunArgs(values) };
}
