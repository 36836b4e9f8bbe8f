import { invalidOption } from "../../../core/internal.js";
import { a1111RequestFromIdentity, buildGenerationRequest } from "../../a1111/index.js";
import { bridgeComposition } from "../bridge/composition.js";
import { prepareIdentity } from "../bridge/faces.js";
import { bridgeOptions, parseBridgeArgs, resolveBridgeSize, type BridgeArgs } from "../bridge/options.js";
import { defineCommand, type CliCommand, type CliIo } from "../command.js";
import { deliverA1111Request, openA1111Server, sendCompositionToA1111, type A1111Target } from "../compose/a1111-backend.js";
import { printCompositionWarnings } from "../compose/warnings.js";
import type { OpenFaceAnalysis } from "../face-analysis.js";

async function sendOneIdentity(args: BridgeArgs, target: A1111Target, openFaceAnalysis: OpenFaceAnalysis, io: CliIo): Promise<number> {
  const server = await openA1111Server(target);
  if (server.capabilities.flavour === "sdnext" && args.pose) {
    throw invalidOption(
      "--pose",
      "no --pose with SD.Next: its face script draws the keypoints from the face photo itself (pose the face on A1111/Forge or ComfyUI)",
      args.pose,
    );
  }
  const prepared = await prepareIdentity(
    { face: args.faces[0], identity: args.identities[0], pose: args.pose, models: args.models, width: args.width, height: args.height },
    openFaceAnalysis,
  );
  const picture = { prompt: args.prompt, negativePrompt: args.negative, width: args.width, height: args.height };
  const settings = { steps: args.steps, cfgScale: args.cfg, seed: args.seed ?? -1 };
  const strengths = { adapterScale: args.adapterScale, identityNetScale: args.identityNetScale };
  // Analysed here (or an identity file): the identity's embedding and keypoints; else the server analyses the photo.
  const request = prepared.identity
    ? await a1111RequestFromIdentity(prepared.identity, {
        ...picture,
        ...settings,
        ...strengths,
        keypoints: prepared.keypoints,
        photo: prepared.photo,
        server: server.capabilities,
      })
    : await buildGenerationRequest(
        { ...picture, ...settings },
        [{ face: { photo: prepared.photo, pose: prepared.pose }, ...strengths, guidanceStart: 0, guidanceEnd: 1 }],
        server.capabilities,
      );
  return deliverA1111Request(request, server, target, io);
}

/**
 * `instantid a1111 txt2img`: InstantID on an A1111 / Forge / SD.Next server, or the exact request with --dry-run.
 * Several identities are a composition (bridge/composition.ts) sent as `instantid compose --backend a1111` sends it.
 */
export function a1111Txt2ImgCommand(openFaceAnalysis: OpenFaceAnalysis): CliCommand {
  return defineCommand({
    path: ["a1111", "txt2img"],
    opensSessions: true,
    summary:
      "Generate with InstantID on an A1111 / Forge / SD.Next server (sd-webui-controlnet's two InstantID units, SD.Next's face " +
      "script).\nWith --models the faces are analysed and the keypoint images drawn here: sd-webui-controlnet then needs no " +
      "insightface; Forge still computes\nthe embedding from the photo and SD.Next analyses the photo itself. Several " +
      "identities are laid out as `instantid compose` does\n(A1111 + sd-webui-controlnet only: two ControlNet units each, " +
      "so control_net_unit_count must be at least twice the identities).",
    options: {
      ...bridgeOptions,
      flavour: {
        type: "string",
        value: "NAME",
        description: "Server flavour for --dry-run without --url: a1111 or sdnext (a Forge dry run needs --url for its hashed model names)",
        default: "a1111",
      },
    },
    examples: [
      'instantid a1111 txt2img --url http://127.0.0.1:7860 --face me.jpg --prompt "a watercolor portrait" -o out.png',
      'instantid a1111 txt2img --face a.jpg --face b.jpg --models models --prompt "two friends" --dry-run request.json',
    ],
    async run({ values }, io) {
      const args = await resolveBridgeSize(parseBridgeArgs(values));
      const target = { ...args, flavour: values.flavour as string };
      if (args.faces.length + args.identities.length === 1) return sendOneIdentity(args, target, openFaceAnalysis, io);
      const { composition, photos } = await bridgeComposition(args, openFaceAnalysis);
      printCompositionWarnings(composition, io);
      return sendCompositionToA1111(composition, target, photos, io);
    },
  });
}
