import { ErrorCode, InstantIdError } from "../../core/index.js";
import { parseJsonAnswer, type HttpClient } from "../net/index.js";
import { modelListAnswer, moduleListAnswer } from "./answers.js";
import { embeddingModules, instantIdModelNames, keypointsModule, passThroughModules } from "./capabilities.js";
import type { FaceScriptLayout } from "./sdnext-face.js";
import { readFaceScript, readUnitSlots } from "./server-settings.js";
import type { A1111Flavour, ServerCapabilities } from "./types.js";

/**
 * Asks a server what it is and what it has (`/sdapi/v1/motd`, `/controlnet/module_list`,
 * `/controlnet/model_list`, the unit slots, SD.Next's face script) and returns what to send, or throws
 * one error listing everything that is missing. The module list is the route sd-webui-controlnet and
 * Forge's built-in ControlNet both serve (Forge has no `/controlnet/version`); names are kept as listed,
 * since Forge looks modules and models up by exact name.
 */
export async function detectServer(http: HttpClient, signal?: AbortSignal): Promise<ServerCapabilities> {
  const motd = await http.request({ path: "/sdapi/v1/motd", accept: [404], signal });
  if (motd.status === 200) return sdNextCapabilities(await readFaceScript(http, signal));
  const moduleList = await http.request({ path: "/controlnet/module_list", accept: [404], signal });
  if (moduleList.status === 404) await explainMissingControlNet(http, signal);
  const { module_list: modules } = parseJsonAnswer(moduleListAnswer, moduleList.body, `GET /controlnet/module_list on ${http.baseUrl}`);
  const { model_list: models } = await http.answer({ path: "/controlnet/model_list?update=true", signal }, modelListAnswer);
  const flavour: A1111Flavour = modules.includes(embeddingModules.forge) ? "forge" : "a1111";
  const ipAdapterModel = models.find((name) => name.includes(instantIdModelNames.ipAdapter));
  const controlNetModel = models.find((name) => name.includes(instantIdModelNames.controlNet));
  const passThroughModule =
    modules.find((name) => name === passThroughModules[flavour]) ?? modules.find((name) => name.toLowerCase() === "none");
  const missing: string[] = [];
  if (!ipAdapterModel)
    missing.push(
      `the Image Adapter model (a name containing "${instantIdModelNames.ipAdapter}", i.e. InstantID's ip-adapter.bin renamed ` +
        `ip-adapter_instant_id_sdxl.bin, in models/ControlNet)`,
    );
  if (!controlNetModel)
    missing.push(
      `the IdentityNet model (a name containing "${instantIdModelNames.controlNet}", i.e. InstantID's ControlNetModel saved as ` +
        `control_instant_id_sdxl.safetensors, in models/ControlNet)`,
    );
  if (!modules.includes(embeddingModules[flavour]))
    missing.push(`the preprocessor "${embeddingModules[flavour]}" (update the ControlNet extension)`);
  if (!modules.includes(keypointsModule)) missing.push(`the preprocessor "${keypointsModule}" (update the ControlNet extension)`);
  if (!passThroughModule) missing.push(`the pass-through preprocessor "${passThroughModules[flavour]}" (update the ControlNet extension)`);
  if (missing.length) {
    throw new InstantIdError(
      ErrorCode.ModelNotFound,
      `The ${flavour === "forge" ? "Forge" : "A1111"} server at ${http.baseUrl} lacks ${missing.join("; and ")}. Installed ` +
        `ControlNet models: ${models.length ? models.join(", ") : "none"}`,
      { details: { missing, models, flavour } },
    );
  }
  return {
    flavour,
    ipAdapterModel: ipAdapterModel!,
    controlNetModel: controlNetModel!,
    embeddingModule: embeddingModules[flavour],
    keypointsModule,
    acceptsEmbeddingInput: flavour === "a1111",
    passThroughModule: passThroughModule!,
    unitSlots: await readUnitSlots(http, signal),
  };
}

function sdNextCapabilities(faceScript: FaceScriptLayout): ServerCapabilities {
  return {
    flavour: "sdnext",
    ipAdapterModel: instantIdModelNames.ipAdapter,
    controlNetModel: instantIdModelNames.controlNet,
    embeddingModule: embeddingModules.sdnext,
    keypointsModule,
    acceptsEmbeddingInput: false,
    passThroughModule: passThroughModules.sdnext,
    faceScript,
  };
}

async function explainMissingControlNet(http: HttpClient, signal?: AbortSignal): Promise<never> {
  const progress = await http.request({ path: "/sdapi/v1/progress", accept: [404], signal });
  if (progress.status === 404) {
    throw new InstantIdError(
      ErrorCode.Server,
      `${http.baseUrl} is not an A1111-style API: /sdapi/v1/progress and /controlnet/module_list are missing. Start A1111/Forge ` +
        `with --api, or use "instantid comfyui" for a ComfyUI server`,
    );
  }
  throw new InstantIdError(
    ErrorCode.Server,
    `The A1111 server at ${http.baseUrl} has no ControlNet API (/controlnet/module_list is missing); install sd-webui-controlnet ` +
      `(v1.1.440 or later) and restart it`,
  );
}
