import { readFile } from "node:fs/promises";
import {
  a1111RequestFromComposition,
  assertUnitSlots,
  assumedCapabilities,
  createA1111Client,
  unitSlotsNote,
  type A1111Client,
  type A1111Flavour,
  type A1111Request,
  type ServerCapabilities,
} from "../../a1111/index.js";
import type { Composition } from "../../../core/index.js";
import { invalidOption, writeFileAtomic } from "../../../core/internal.js";
import { withInterrupt } from "../bridge/interrupt.js";
import type { CliIo } from "../command.js";
import { createProgressBar } from "../progress-bar.js";
import type { ComposeArgs } from "./args.js";
import type { ComposeBackend } from "./backend.js";
import { parseServerArgs, serverOptions } from "./server-options.js";

/** The server flavours `--flavour` names, for a dry run without `--url`. */
export const A1111_FLAVOURS = ["a1111", "forge", "sdnext"];

/** Where an A1111 request goes: the server (or, without `url`, the assumed flavour) and the dry-run file or the image file. */
export interface A1111Target {
  readonly url?: string;
  readonly auth?: { username: string; password: string };
  readonly timeoutMs: number;
  readonly flavour: string;
  readonly dryRun?: string;
  readonly out?: string;
}

/** The server's client (absent without `url`) and what it can take: detected, or assumed from the flavour. */
export interface A1111Server {
  readonly client?: A1111Client;
  readonly capabilities: ServerCapabilities;
}

/**
 * Checks `--flavour` and asks the server (when there is one) what it can take. A Forge dry run needs the
 * server: Forge finds models by the exact listed name, hash included, which only the server knows.
 */
export async function openA1111Server(target: A1111Target): Promise<A1111Server> {
  if (!A1111_FLAVOURS.includes(target.flavour)) throw invalidOption("--flavour", A1111_FLAVOURS.join(", "), target.flavour);
  if (!target.url && target.flavour === "forge") {
    throw invalidOption(
      "--url",
      "the Forge server for a Forge dry run (it is only asked for its model list: Forge looks models up by the exact listed name " +
        "with its hash, so a request without them cannot be replayed)",
      undefined,
    );
  }
  if (!target.url) return { capabilities: assumedCapabilities(target.flavour as A1111Flavour) };
  const client = createA1111Client({ baseUrl: target.url, auth: target.auth, generationTimeoutMs: target.timeoutMs });
  return { client, capabilities: await client.detect() };
}

/**
 * Writes the request to the dry-run file (saying how many ControlNet unit slots it needs), or checks the
 * server's slots, generates on the server and saves the images with their info.
 * @throws InstantIdError SERVER_SETTING when the server has fewer unit slots than the request has units.
 */
export async function deliverA1111Request(request: A1111Request, server: A1111Server, target: A1111Target, io: CliIo): Promise<number> {
  if (target.dryRun) {
    await writeFileAtomic(target.dryRun, `${JSON.stringify(request, null, 2)}\n`);
    const note = unitSlotsNote(request);
    io.stdout(`wrote the ${server.capabilities.flavour} request to ${target.dryRun}${note ? `; ${note}` : ""}\n`);
    return 0;
  }
  assertUnitSlots(request, server.capabilities);
  // Each image is streamed out of the server's answer into its file (never whole in memory), beside its .json.
  const result = await withInterrupt((signal) =>
    server.client!.generateToFiles(request, target.out!, { onProgress: createProgressBar(io), signal }),
  );
  io.stdout(`${result.images.map((image) => image.path).join("\n")}\n`);
  return 0;
}

/**
 * Sends a composition to an A1111 server (or writes the request with `dryRun`): what
 * `instantid compose --backend a1111` and the multi-identity `instantid a1111 txt2img` run.
 * `photos[i]` is identity i's face photo, for servers that analyse faces themselves.
 */
export async function sendCompositionToA1111(
  composition: Composition,
  target: A1111Target & { steps: number; cfg: number; seed?: number },
  photos: readonly (Uint8Array | undefined)[],
  io: CliIo,
): Promise<number> {
  if (composition.identities.some((c) => c.prompt))
    io.stderr("warning: A1111 has no regional prompts; region prompts are joined to the shared prompt\n");
  const server = await openA1111Server(target);
  const request = await a1111RequestFromComposition(composition, {
    server: server.capabilities,
    steps: target.steps,
    cfgScale: target.cfg,
    seed: target.seed,
    photos,
  });
  return deliverA1111Request(request, server, target, io);
}

/** `instantid compose --backend a1111`: the composition's units, sent or written with --dry-run. */
export const a1111ComposeBackend: ComposeBackend = {
  options: {
    ...serverOptions,
    flavour: {
      type: "string",
      value: "NAME",
      description: "a1111: server flavour for --dry-run without --url (a1111 or sdnext; a Forge dry run needs --url)",
      default: "a1111",
    },
  },
  async run(composition: Composition, args: ComposeArgs, values: Record<string, unknown>, io: CliIo): Promise<number> {
    const server = parseServerArgs(values, composition, Boolean(args.dryRun));
    const photos = await Promise.all(server.faces.map((path) => readFile(path)));
    return sendCompositionToA1111(
      composition,
      { ...server, flavour: values.flavour as string, dryRun: args.dryRun, out: args.out },
      photos,
      io,
    );
  },
};
