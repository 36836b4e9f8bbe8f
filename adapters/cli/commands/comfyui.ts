import { extname } from "node:path";
import { buildInstantIdWorkflow, comfyWorkflowFromIdentity, type ComfyIdentityOptions } from "../../comfyui/index.js";
import { bridgeComposition } from "../bridge/composition.js";
import { prepareIdentity } from "../bridge/faces.js";
import { bridgeOptions, parseBridgeArgs, resolveBridgeSize, type BridgeArgs } from "../bridge/options.js";
import { defineCommand, type CliCommand, type CliIo, type CliOption } from "../command.js";
import {
  deliverComfyWorkflow,
  openComfyServer,
  readFacePhotos,
  sendCompositionToComfy,
  type ComfyTarget,
} from "../compose/comfyui-backend.js";
import { printCompositionWarnings } from "../compose/warnings.js";
import type { OpenFaceAnalysis } from "../face-analysis.js";

async function sendOneIdentity(args: BridgeArgs, target: ComfyTarget, openFaceAnalysis: OpenFaceAnalysis, io: CliIo): Promise<number> {
  const server = await openComfyServer(target);
  const prepared = await prepareIdentity(
    { face: args.faces[0], pose: args.pose, models: args.models, width: args.width, height: args.height },
    openFaceAnalysis,
  );
  const photo = { data: prepared.photo!, extension: extname(args.faces[0]) || ".png" };
  const settings = {
    ...server.models,
    provider: target.provider as ComfyIdentityOptions["provider"],
    prompt: args.prompt,
    negativePrompt: args.negative,
    width: args.width,
    height: args.height,
    steps: args.steps,
    cfg: args.cfg,
    seed: server.seed,
  };
  const strengths = { adapterScale: args.adapterScale, identityNetScale: args.identityNetScale };
  // Analysed here: the keypoint image is drawn here (the pose's face, else the photo's own); else the pack draws them from the pose or
  // photo.
  const workflow = prepared.identity
    ? await comfyWorkflowFromIdentity(prepared.identity, {
        ...settings,
        ...strengths,
        keypoints: prepared.keypoints,
        photo,
        place: server.place,
      })
    : buildInstantIdWorkflow(settings, [
        {
          image: await server.place(photo.data, "face", photo.extension),
          keypoints: prepared.pose && (await server.place(prepared.pose, "pose", extname(args.pose ?? "") || ".png")),
          ...strengths,
        },
      ]);
  return deliverComfyWorkflow(workflow, server, target, io);
}

// ComfyUI_InstantID computes the embedding from a photo and takes none, so identity files (--identity) do not apply.
const { identity: _identityFiles, ...shared } = bridgeOptions;
const comfyuiBridgeOptions: Record<string, CliOption> = {
  ...shared,
  url: { ...shared.url, description: "Server root, e.g. http://127.0.0.1:8188 (required unless --dry-run)" },
  pose: { ...shared.pose, description: "Photo whose face positions give the keypoints (one face per identity, matched left to right)" },
  models: {
    ...shared.models,
    description:
      "Face models (models.json): analyse the faces here and draw the keypoint images sent as image_kps (needed for several " +
      "--face photos); ComfyUI_InstantID's Apply nodes still run insightface on the server",
  },
};

/**
 * `instantid comfyui txt2img`: InstantID on a ComfyUI server, or the exact API workflow with --dry-run.
 * Several identities are a composition (bridge/composition.ts) sent as `instantid compose --backend comfyui` sends it.
 */
export function comfyuiTxt2ImgCommand(openFaceAnalysis: OpenFaceAnalysis): CliCommand {
  return defineCommand({
    path: ["comfyui", "txt2img"],
    opensSessions: true,
    summary:
      "Generate with InstantID on a ComfyUI server (cubiq/ComfyUI_InstantID nodes), following progress on its websocket.\nThe " +
      "server always runs insightface: its Apply nodes compute the embedding from the photo. With --models the keypoint image " +
      "is\ndrawn here and sent as image_kps (the node finds no face in a drawing and uses it as it is); several identities " +
      "are laid out as\n`instantid compose` does. --dry-run writes the uploads beside the workflow, named as the workflow " +
      "loads them.",
    options: {
      ...comfyuiBridgeOptions,
      checkpoint: {
        type: "string",
        value: "NAME",
        description: "SDXL checkpoint as the server lists it (default: the first with 'xl' in its name)",
      },
      provider: {
        type: "string",
        value: "NAME",
        description: "Where the node pack runs insightface: CPU, CUDA, ROCM or CoreML",
        default: "CUDA",
      },
    },
    examples: [
      'instantid comfyui txt2img --url http://127.0.0.1:8188 --face me.jpg --prompt "a watercolor portrait" -o out.png',
      'instantid comfyui txt2img --face me.jpg --pose pose.jpg --models models --prompt "an astronaut" --dry-run graph.json',
    ],
    async run({ values }, io) {
      const args = await resolveBridgeSize(parseBridgeArgs(values));
      const target = { ...args, provider: values.provider as string, checkpoint: values.checkpoint as string | undefined };
      if (args.faces.length === 1) return sendOneIdentity(args, target, openFaceAnalysis, io);
      const { composition } = await bridgeComposition(args, openFaceAnalysis);
      printCompositionWarnings(composition, io);
      return sendCompositionToComfy(composition, target, await readFacePhotos(args.faces), io);
    },
  });
}
