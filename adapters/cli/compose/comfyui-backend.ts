import { randomInt } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, extname, join } from "node:path";
import {
  chooseModels,
  comfyWorkflowFromComposition,
  contentName,
  createComfyClient,
  objectInfoSnapshot,
  uncoveredPixels,
  uploadPlacer,
  type ApiPrompt,
  type ComfyClient,
  type ComfyCompositionOptions,
  type ComfyModels,
  type ComfyPlacer,
} from "../../comfyui/index.js";
import type { Composition } from "../../../core/index.js";
import { invalidOption, writeFileAtomic } from "../../../core/internal.js";
import { withInterrupt } from "../bridge/interrupt.js";
import type { CliIo } from "../command.js";
import { createProgressBar } from "../progress-bar.js";
import type { ComposeArgs } from "./args.js";
import type { ComposeBackend } from "./backend.js";
import { parseServerArgs, serverOptions } from "./server-options.js";

/** Where ComfyUI_InstantID may run insightface (`--provider`). */
export const COMFY_PROVIDERS = ["CPU", "CUDA", "ROCM", "CoreML"];

/**
 * A dry run's placer: names each image as an upload would be named (`contentName`) and writes it under that
 * name in `dir`, so the workflow can be replayed by uploading those files as they are named; `written` lists them.
 */
export function dryRunPlacer(dir: string, written: string[]): ComfyPlacer {
  return async (data, kind, extension) => {
    const name = contentName(data, kind, extension);
    await writeFileAtomic(join(dir, name), data);
    if (!written.includes(name)) written.push(name);
    return name;
  };
}

/** Where a ComfyUI workflow goes: the server (or, without `url`, the snapshot of a stock one), and the dry-run file or the image file. */
export interface ComfyTarget {
  readonly url?: string;
  readonly auth?: { username: string; password: string };
  readonly timeoutMs: number;
  readonly provider: string;
  readonly checkpoint?: string;
  readonly seed?: number;
  readonly dryRun?: string;
  readonly out?: string;
}

/** The server's client (absent without `url`), the models it has, how images reach it and the seed. */
export interface ComfyServer {
  readonly client?: ComfyClient;
  readonly models: ComfyModels;
  readonly place: ComfyPlacer;
  readonly seed: number;
  /** A dry run's upload files, written beside the workflow. */
  readonly written: readonly string[];
}

/** Checks `--provider`, asks the server (when there is one) for its models and picks the seed (random when not given). */
export async function openComfyServer(target: ComfyTarget): Promise<ComfyServer> {
  if (!COMFY_PROVIDERS.includes(target.provider)) throw invalidOption("--provider", COMFY_PROVIDERS.join(", "), target.provider);
  const client = target.url ? createComfyClient({ baseUrl: target.url, auth: target.auth, timeoutMs: target.timeoutMs }) : undefined;
  const models = chooseModels(client ? await client.objectInfo() : objectInfoSnapshot, { checkpoint: target.checkpoint });
  const written: string[] = [];
  // A dry run asks the server what it has but changes nothing there: the uploads go beside the workflow file.
  const place = target.dryRun ? dryRunPlacer(dirname(target.dryRun), written) : uploadPlacer(client!);
  return { client, models, place, seed: target.seed ?? randomInt(0, 2 ** 47), written };
}

/** Writes the workflow to the dry-run file, or queues it and saves the images with the prompt id, seed and workflow. */
export async function deliverComfyWorkflow(workflow: ApiPrompt, server: ComfyServer, target: ComfyTarget, io: CliIo): Promise<number> {
  if (target.dryRun) {
    await writeFileAtomic(target.dryRun, `${JSON.stringify(workflow, null, 2)}\n`);
    const uploads = server.written.length
      ? ` and its ${server.written.length} upload(s) beside it (${server.written.join(", ")}): upload each under its file name ` +
        `(POST /upload/image, or into ComfyUI's input folder) before POST /prompt`
      : "";
    io.stdout(`wrote the ComfyUI API workflow to ${target.dryRun}${uploads}\n`);
    return 0;
  }
  // Each image is streamed from /view into its file (never whole in memory), beside its .json as saveImages writes it.
  const result = await withInterrupt((signal) =>
    server.client!.runToFiles(workflow, target.out!, { onProgress: createProgressBar(io), signal, info: { seed: server.seed, workflow } }),
  );
  io.stdout(`${result.images.map((image) => image.path).join("\n")}\n`);
  return 0;
}

/** Each face photo's bytes and its file extension (how it is named on the server). */
export function readFacePhotos(paths: readonly string[]): Promise<{ data: Buffer; extension: string }[]> {
  return Promise.all(paths.map(async (path) => ({ data: await readFile(path), extension: extname(path) || ".png" })));
}

/**
 * Sends a composition to a ComfyUI server (or writes the workflow with `dryRun`): what
 * `instantid compose --backend comfyui` and the multi-identity `instantid comfyui txt2img` run.
 * `photos[i]` is identity i's face photo; the node pack reads the embedding from it.
 */
export async function sendCompositionToComfy(
  composition: Composition,
  target: ComfyTarget & { steps: number; cfg: number },
  photos: readonly { data: Uint8Array; extension: string }[],
  io: CliIo,
): Promise<number> {
  const server = await openComfyServer(target);
  const uncovered = uncoveredPixels(composition);
  if (uncovered)
    io.stderr(
      `warning: ${uncovered} pixels lie in no identity's region; ComfyUI applies no positive prompt there (every conditioning is ` +
        `masked): cover the canvas with the regions\n`,
    );
  const workflow = await comfyWorkflowFromComposition(composition, {
    ...server.models,
    provider: target.provider as ComfyCompositionOptions["provider"],
    steps: target.steps,
    cfg: target.cfg,
    seed: server.seed,
    photos,
    place: server.place,
  });
  return deliverComfyWorkflow(workflow, server, target, io);
}

/** `instantid compose --backend comfyui`: the composition's workflow, queued or written with --dry-run. */
export const comfyuiComposeBackend: ComposeBackend = {
  options: {
    ...serverOptions,
    checkpoint: {
      type: "string",
      value: "NAME",
      description: "comfyui: SDXL checkpoint as the server lists it (default: the first with 'xl' in its name)",
    },
    provider: {
      type: "string",
      value: "NAME",
      description: "comfyui: where the node pack runs insightface (CPU, CUDA, ROCM, CoreML)",
      default: "CUDA",
    },
  },
  async run(composition: Composition, args: ComposeArgs, values: Record<string, unknown>, io: CliIo): Promise<number> {
    const server = parseServerArgs(values, composition, Boolean(args.dryRun));
    const target = {
      ...server,
      provider: values.provider as string,
      checkpoint: values.checkpoint as string | undefined,
      dryRun: args.dryRun,
      out: args.out,
    };
    return sendCompositionToComfy(composition, target, await readFacePhotos(server.faces), io);
  },
};
