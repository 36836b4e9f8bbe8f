import { createHash, randomInt } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { buildInstantIdWorkflow, chooseModels, createComfyClient, objectInfoSnapshot, type ApiPrompt, type ComfyClient, type ComfyIdentity, type ComfyModels } from "../../comfyui/index.js";
import { ErrorCode, InstantIdError, invalidOption, saveImages, writeFileAtomic, type Composition } from "../../../core/index.js";
import { withInterrupt } from "../bridge/interrupt.js";
import type { CliIo } from "../command.js";
import { createProgressBar } from "../progress-bar.js";
import type { ComposeArgs } from "./args.js";
import type { ComposeBackend } from "./backend.js";
import { keypointPng, maskPng } from "./images.js";
import { parseServerArgs, serverOptions } from "./server-options.js";

const PROVIDERS = ["CPU", "CUDA", "ROCM", "CoreML"];

/** Puts bytes on the server (or, for a dry run, only names them) and returns the name the workflow uses. */
export type ComfyPlacer = (data: Uint8Array, kind: string, extension: string) => Promise<string>;

/** Names uploads by content, so reruns reuse them and a dry run names exactly what a run would upload. */
export function contentPlacer(client: ComfyClient | undefined): ComfyPlacer {
  return async (data, kind, extension) => {
    const name = `instantid-${kind}-${createHash("sha256").update(data).digest("hex").slice(0, 16)}${extension}`;
    return client ? client.uploadImage(data, name) : name;
  };
}

/**
 * A composition as ComfyUI_InstantID identities: per identity its face photo (the pack computes the
 * embedding from it), its keypoint image, its mask, scales, window, combine mode and region prompt;
 * noise 0, so the negative uses Resampler(zeros) tokens as the local runner does.
 */
export async function compositionToComfy(composition: Composition, photos: readonly { data: Uint8Array; extension: string }[], place: ComfyPlacer): Promise<ComfyIdentity[]> {
  if (photos.length !== composition.identities.length) {
    throw new InstantIdError(ErrorCode.InvalidOption, `ComfyUI_InstantID reads each face from a photo and takes no embedding: give one --face photo per identity (${composition.identities.length}), in order`);
  }
  const several = composition.identities.length > 1;
  const identities: ComfyIdentity[] = [];
  for (const [i, c] of composition.identities.entries()) {
    identities.push({
      image: await place(photos[i].data, "face", photos[i].extension),
      keypoints: await place(await keypointPng(c), "kps", ".png"),
      mask: several ? await place(await maskPng(c.mask), "mask", ".png") : undefined,
      ipWeight: c.ipScale,
      cnStrength: c.identityNetScale,
      startAt: c.start,
      endAt: c.end,
      noise: 0,
      combineEmbeds: c.identity.combine,
      prompt: c.prompt,
    });
  }
  return identities;
}

/** Canvas pixels no identity's region covers: ComfyUI has no positive conditioning there once every conditioning is masked. */
export function uncoveredPixels(composition: Composition): number {
  if (composition.identities.length < 2) return 0;
  const area = composition.width * composition.height;
  let uncovered = 0;
  for (let p = 0; p < area; p++) if (composition.identities.every((c) => c.mask.data[p] <= 0)) uncovered++;
  return uncovered;
}

/** The whole ComfyUI workflow of a composition. */
export async function compositionComfyWorkflow(
  composition: Composition, models: ComfyModels, options: { steps: number; cfg: number; seed: number; provider?: string },
  photos: readonly { data: Uint8Array; extension: string }[], place: ComfyPlacer,
): Promise<ApiPrompt> {
  const identities = await compositionToComfy(composition, photos, place);
  const { width, height, prompt, negativePrompt } = composition;
  return buildInstantIdWorkflow({ ...models, provider: (options.provider ?? "CUDA") as "CUDA", prompt, negativePrompt, width, height, steps: options.steps, cfg: options.cfg, seed: options.seed }, identities);
}

/** `instantid compose --backend comfyui`: the composition's workflow, queued or written with --dry-run. */
export const comfyuiComposeBackend: ComposeBackend = {
  options: {
    ...serverOptions,
    checkpoint: { type: "string", value: "NAME", description: "comfyui: SDXL checkpoint as the server lists it (default: the first with 'xl' in its name)" },
    provider: { type: "string", value: "NAME", description: "comfyui: where the node pack runs insightface (CPU, CUDA, ROCM, CoreML)", default: "CUDA" },
  },
  async run(composition: Composition, args: ComposeArgs, values: Record<string, unknown>, io: CliIo): Promise<number> {
    const server = parseServerArgs(values, composition, Boolean(args.dryRun));
    const provider = values.provider as string;
    if (!PROVIDERS.includes(provider)) throw invalidOption("--provider", PROVIDERS.join(", "), provider);
    const client = server.url ? createComfyClient({ baseUrl: server.url, auth: server.auth, timeoutMs: server.timeoutMs }) : undefined;
    const models = chooseModels(client ? await client.objectInfo() : objectInfoSnapshot, { checkpoint: values.checkpoint as string | undefined });
    const uncovered = uncoveredPixels(composition);
    if (uncovered) io.stderr(`warning: ${uncovered} pixels lie in no identity's region; ComfyUI applies no positive prompt there (every conditioning is masked): cover the canvas with the regions\n`);
    const photos = await Promise.all(server.faces.map(async (path) => ({ data: await readFile(path), extension: extname(path) || ".png" })));
    const seed = server.seed ?? randomInt(0, 2 ** 47);
    const place = contentPlacer(args.dryRun ? undefined : client); // a dry run changes nothing on the server
    const workflow = await compositionComfyWorkflow(composition, models, { ...server, seed, provider }, photos, place);
    if (args.dryRun) {
      await writeFileAtomic(args.dryRun, `${JSON.stringify(workflow, null, 2)}\n`);
      io.stdout(`wrote the ComfyUI API workflow to ${args.dryRun}\n`);
      return 0;
    }
    const result = await withInterrupt((signal) => client!.run(workflow, { onProgress: createProgressBar(io), signal }));
    const paths = await saveImages(args.out!, result.images.map((image) => image.data), { promptId: result.promptId, seed, workflow });
    io.stdout(`${paths.join("\n")}\n`);
    return 0;
  },
};
