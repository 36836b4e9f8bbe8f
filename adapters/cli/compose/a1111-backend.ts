import { readFile } from "node:fs/promises";
import { assumedCapabilities, buildGenerationRequest, createA1111Client, type A1111Flavour, type A1111Request, type ControlNetUnit, type IdentitySpec, type ServerCapabilities } from "../../a1111/index.js";
import { invalidOption, saveImages, writeFileAtomic, type Composition } from "../../../core/index.js";
import { withInterrupt } from "../bridge/interrupt.js";
import type { CliIo } from "../command.js";
import { createProgressBar } from "../progress-bar.js";
import type { ComposeArgs } from "./args.js";
import type { ComposeBackend } from "./backend.js";
import { joinedPrompt, keypointPng, maskPng, serverEmbedding } from "./images.js";
import { parseServerArgs, serverOptions, type ServerArgs } from "./server-options.js";

const FLAVOURS = ["a1111", "forge", "sdnext"];

/**
 * A composition as sd-webui-controlnet units: per identity the Image Adapter / IdentityNet unit pair
 * with its embedding (or photo), its own keypoint image, scales, window and `effective_region_mask`.
 * A1111 has no regional prompts, so region prompts are joined to the shared prompt.
 */
export async function compositionToA1111(composition: Composition, photos: readonly (Uint8Array | undefined)[] = []): Promise<{ prompt: string; identities: IdentitySpec[] }> {
  const identities: IdentitySpec[] = [];
  for (const [i, c] of composition.identities.entries()) {
    identities.push({
      face: { photo: photos[i], analysis: { embedding: serverEmbedding(c), keypointImage: await keypointPng(c) } },
      ipScale: c.ipScale,
      cnScale: c.identityNetScale,
      guidanceStart: c.start,
      guidanceEnd: c.end,
      mask: composition.identities.length > 1 ? await maskPng(c.mask) : undefined,
    });
  }
  return { prompt: joinedPrompt(composition.prompt, composition.identities), identities };
}

/**
 * The whole A1111 request body of a composition. Each Image Adapter unit gets the full window
 * [0, 1]: the window is IdentityNet's (as locally), and sd-webui-controlnet would otherwise gate
 * the image attention with it too.
 */
export async function compositionA1111Request(composition: Composition, server: ServerCapabilities, options: { steps: number; cfg: number; seed?: number }, photos: readonly (Uint8Array | undefined)[] = []): Promise<A1111Request> {
  const { prompt, identities } = await compositionToA1111(composition, photos);
  const { width, height, negativePrompt } = composition;
  const body = await buildGenerationRequest({ prompt, negativePrompt, width, height, steps: options.steps, cfgScale: options.cfg, seed: options.seed ?? -1 }, identities, server);
  const units = (body.alwayson_scripts as { controlnet?: { args: ControlNetUnit[] } } | undefined)?.controlnet?.args;
  if (!units) return body; // SD.Next's face object has no units
  const args = units.map((unit, i) => (i % 2 === 0 ? { ...unit, guidance_start: 0, guidance_end: 1 } : unit));
  return { ...body, alwayson_scripts: { controlnet: { args } } };
}

async function send(request: A1111Request, server: ServerArgs, out: string, io: CliIo): Promise<number> {
  const client = createA1111Client({ baseUrl: server.url!, auth: server.auth, generationTimeoutMs: server.timeoutMs });
  const result = await withInterrupt((signal) => client.generate(request, { onProgress: createProgressBar(io), signal }));
  const paths = await saveImages(out, result.images, result.info);
  io.stdout(`${paths.join("\n")}\n`);
  return 0;
}

/** `instantid compose --backend a1111`: the composition's units, sent or written with --dry-run. */
export const a1111ComposeBackend: ComposeBackend = {
  options: {
    ...serverOptions,
    flavour: { type: "string", value: "NAME", description: "a1111: server flavour for --dry-run without --url (a1111, forge, sdnext)", default: "a1111" },
  },
  async run(composition: Composition, args: ComposeArgs, values: Record<string, unknown>, io: CliIo): Promise<number> {
    const server = parseServerArgs(values, composition, Boolean(args.dryRun));
    const flavour = values.flavour as string;
    if (!FLAVOURS.includes(flavour)) throw invalidOption("--flavour", FLAVOURS.join(", "), flavour);
    if (composition.identities.some((c) => c.prompt)) io.stderr("warning: A1111 has no regional prompts; region prompts are joined to the shared prompt\n");
    const capabilities = server.url
      ? await createA1111Client({ baseUrl: server.url, auth: server.auth, generationTimeoutMs: server.timeoutMs }).detect()
      : assumedCapabilities(flavour as A1111Flavour);
    const photos = await Promise.all(server.faces.map((path) => readFile(path)));
    const request = await compositionA1111Request(composition, capabilities, server, photos);
    if (args.dryRun) {
      await writeFileAtomic(args.dryRun, `${JSON.stringify(request, null, 2)}\n`);
      io.stdout(`wrote the ${capabilities.flavour} request to ${args.dryRun}\n`);
      return 0;
    }
    return send(request, server, args.out!, io);
  },
};
