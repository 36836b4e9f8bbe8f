import { createHash, randomInt } from "node:crypto";
import { extname } from "node:path";
import { buildInstantIdWorkflow, chooseModels, createComfyClient, objectInfoSnapshot, type ComfyClient } from "../../comfyui/index.js";
import { ErrorCode, InstantIdError, invalidOption, saveImages, writeFileAtomic } from "../../../core/index.js";
import { prepareIdentities } from "../bridge/faces.js";
import { withInterrupt } from "../bridge/interrupt.js";
import { bridgeOptions, parseBridgeArgs } from "../bridge/options.js";
import { defineCommand } from "../command.js";
import { createProgressBar } from "../progress-bar.js";

const providers = ["CPU", "CUDA", "ROCM", "CoreML"];

/** Uploads `data` under a name derived from its content (so reruns reuse it), or only names it for a dry run. */
async function place(client: ComfyClient | undefined, data: Uint8Array, kind: string, extension = ".png"): Promise<string> {
  const name = `instantid-${kind}-${createHash("sha256").update(data).digest("hex").slice(0, 16)}${extension}`;
  return client ? client.uploadImage(data, name) : name;
}

/** `instantid comfyui txt2img`: InstantID on a ComfyUI server, or the exact API workflow with --dry-run. */
export const comfyuiTxt2ImgCommand = defineCommand({
  path: ["comfyui", "txt2img"],
  summary:
    "Generate with InstantID on a ComfyUI server (cubiq/ComfyUI_InstantID nodes), following progress on its websocket.\nWith --models the keypoint image is drawn here and sent as image_kps.",
  options: {
    ...bridgeOptions,
    checkpoint: { type: "string", value: "NAME", description: "SDXL checkpoint as the server lists it (default: the first with 'xl' in its name)" },
    provider: { type: "string", value: "NAME", description: "Where the node pack runs insightface: CPU, CUDA, ROCM or CoreML", default: "CUDA" },
  },
  examples: [
    'instantid comfyui txt2img --url http://127.0.0.1:8188 --face me.jpg --prompt "a watercolor portrait" -o out.png',
    'instantid comfyui txt2img --face me.jpg --pose pose.jpg --models models --prompt "an astronaut" --dry-run graph.json',
  ],
  async run({ values }, io) {
    const args = parseBridgeArgs(values);
    if (args.identities.length) {
      throw new InstantIdError(ErrorCode.InvalidOption, "ComfyUI_InstantID computes the embedding from a photo and takes no embedding, so --identity files cannot be used; pass --face photos");
    }
    const provider = values.provider as string;
    if (!providers.includes(provider)) throw invalidOption("--provider", providers.join(", "), provider);
    const client = args.url ? createComfyClient({ baseUrl: args.url, auth: args.auth, timeoutMs: args.timeoutMs }) : undefined;
    const models = chooseModels(client ? await client.objectInfo() : objectInfoSnapshot, { checkpoint: values.checkpoint as string | undefined });
    const prepared = await prepareIdentities({ faces: args.faces, pose: args.pose, models: args.models, width: args.width, height: args.height });
    const uploader = args.dryRun ? undefined : client; // a dry run asks the server what it has but changes nothing there
    const identities = [];
    for (const [i, identity] of prepared.entries()) {
      const keypoints = identity.analysis?.keypointImage ?? identity.pose;
      identities.push({
        image: await place(uploader, identity.photo!, "face", extname(args.faces[i]) || ".png"),
        keypoints: keypoints && (await place(uploader, keypoints, identity.analysis ? "kps" : "pose", identity.analysis ? ".png" : extname(args.pose!) || ".png")),
        mask: identity.mask && (await place(uploader, identity.mask, "mask")),
        ipWeight: args.ipScale,
        cnStrength: args.cnScale,
      });
    }
    const seed = args.seed ?? randomInt(0, 2 ** 47);
    const prompt = buildInstantIdWorkflow(
      { ...models, provider: provider as "CUDA", prompt: args.prompt, negativePrompt: args.negative, width: args.width, height: args.height, steps: args.steps, cfg: args.cfg, seed },
      identities,
    );
    if (args.dryRun) {
      await writeFileAtomic(args.dryRun, `${JSON.stringify(prompt, null, 2)}\n`);
      io.stdout(`wrote the ComfyUI API workflow to ${args.dryRun}\n`);
      return 0;
    }
    const result = await withInterrupt((signal) => client!.run(prompt, { onProgress: createProgressBar(io), signal }));
    const paths = await saveImages(args.out!, result.images.map((image) => image.data), { promptId: result.promptId, seed, workflow: prompt });
    io.stdout(`${paths.join("\n")}\n`);
    return 0;
  },
});
