import { assumedCapabilities, buildGenerationRequest, createA1111Client, type A1111Flavour } from "../../a1111/index.js";
import { invalidOption, saveImages, writeFileAtomic } from "../../../core/index.js";
import { prepareIdentities } from "../bridge/faces.js";
import { withInterrupt } from "../bridge/interrupt.js";
import { bridgeOptions, parseBridgeArgs } from "../bridge/options.js";
import { defineCommand } from "../command.js";
import { createProgressBar } from "../progress-bar.js";

const flavours = ["a1111", "forge", "sdnext"];

/** `instantid a1111 txt2img`: InstantID on an A1111 / Forge / SD.Next server, or the exact request with --dry-run. */
export const a1111Txt2ImgCommand = defineCommand({
  path: ["a1111", "txt2img"],
  summary:
    "Generate with InstantID on an A1111 / Forge / SD.Next server (sd-webui-controlnet's two InstantID units).\nWith --models the face is analysed here and the server needs no insightface.",
  options: {
    ...bridgeOptions,
    flavour: { type: "string", value: "NAME", description: "Server flavour for --dry-run without --url: a1111, forge or sdnext", default: "a1111" },
  },
  examples: [
    'instantid a1111 txt2img --url http://127.0.0.1:7860 --face me.jpg --prompt "a watercolor portrait" -o out.png',
    'instantid a1111 txt2img --face a.jpg --face b.jpg --models models --prompt "two friends" --dry-run request.json',
  ],
  async run({ values }, io) {
    const args = parseBridgeArgs(values);
    const flavour = values.flavour as string;
    if (!flavours.includes(flavour)) throw invalidOption("--flavour", flavours.join(", "), flavour);
    const client = args.url ? createA1111Client({ baseUrl: args.url, auth: args.auth, generationTimeoutMs: args.timeoutMs }) : undefined;
    const capabilities = client ? await client.detect() : assumedCapabilities(flavour as A1111Flavour);
    const identities = await prepareIdentities({ faces: args.faces, identities: args.identities, pose: args.pose, models: args.models, width: args.width, height: args.height });
    const request = await buildGenerationRequest(
      { prompt: args.prompt, negativePrompt: args.negative, width: args.width, height: args.height, steps: args.steps, cfgScale: args.cfg, seed: args.seed ?? -1 },
      identities.map((identity) => ({
        face: { photo: identity.photo, pose: identity.pose, analysis: identity.analysis },
        ipScale: args.ipScale,
        cnScale: args.cnScale,
        guidanceStart: 0,
        guidanceEnd: 1,
        mask: identity.mask,
      })),
      capabilities,
    );
    if (args.dryRun) {
      await writeFileAtomic(args.dryRun, `${JSON.stringify(request, null, 2)}\n`);
      io.stdout(`wrote the ${capabilities.flavour} request to ${args.dryRun}\n`);
      return 0;
    }
    const result = await withInterrupt((signal) => client!.generate(request, { onProgress: createProgressBar(io), signal }));
    const paths = await saveImages(args.out!, result.images, result.info);
    io.stdout(`${paths.join("\n")}\n`);
    return 0;
  },
});
