import type { IncomingMessage, ServerResponse } from "node:http";
import sharp from "sharp";
import { decodeBase64Image, pngOf } from "./image-check.js";
import { readBody, sendJson, sleep, startServer, type RunningServer } from "./http-server.js";
import { runFaceScript, sdNextScriptInfo, type FaceScriptVersion } from "./sdnext-face.js";
import { readTorchFloatTensor } from "./torch-zip.js";

/** What the mock server has and how it misbehaves. */
export interface MockA1111Options {
  readonly flavour?: "a1111" | "forge" | "sdnext";
  readonly models?: readonly string[];
  readonly modules?: readonly string[];
  /** Without the ControlNet extension, /controlnet/* answers 404. */
  readonly controlNet?: boolean;
  readonly auth?: { readonly username: string; readonly password: string };
  /** Time per sampling step. */
  readonly stepMs?: number;
  /** Applied to the next generation requests, in order: a 500 answer or a dropped connection. */
  readonly failures?: ("500" | "drop")[];
  readonly maxBodyBytes?: number;
  /** `control_net_unit_count` (default 3, both extensions' default): the API copies only this many units. */
  readonly unitCount?: number;
  /** Whether `/sdapi/v1/options` lists `control_net_unit_count` (default true). */
  readonly unitCountInOptions?: boolean;
  /** SD.Next: which face script `run()` the server has (default: current, 17 arguments). */
  readonly faceScript?: FaceScriptVersion;
  /**
   * Live previews on (as with "Show live previews" and `live_previews_image_format`): /sdapi/v1/progress
   * answers `current_image`, a 16×16 picture of the current step, unless asked with skip_current_image=true.
   */
  readonly livePreviews?: "png" | "jpeg";
}

/** The mock server plus what it saw. */
export interface MockA1111 extends RunningServer {
  readonly generations: Record<string, unknown>[];
  /** Embeddings decoded from `ipadapter_input` blobs, in unit order. */
  readonly embeddings: Float32Array[];
  /** Per generation, the units the API passed on (at most `unitCount`; the rest are dropped without a word). */
  readonly usedUnits: Record<string, unknown>[][];
  /** SD.Next: the face script's `run()` arguments by name, per generation that ran it. */
  readonly faceRuns: Record<string, unknown>[];
  readonly counts: { interrupts: number; progressPolls: number; generationAttempts: number; previewsSent: number };
}

/** sd-webui-controlnet's (and Forge's) model list entries for InstantID, with hashes. */
export const instantIdModels = ["ip-adapter_instant_id_sdxl [eb2d3ec0]", "control_instant_id_sdxl [c5c25a35]"];
const a1111Modules = ["none", "canny", "instant_id_face_embedding", "instant_id_face_keypoints", "ip-adapter_clip_sdxl"];
const forgeModules = ["None", "canny", "InsightFace (InstantID)", "instant_id_face_keypoints"];
const samplers = new Set(["Euler", "Euler a", "DPM++ 2M", "DPM++ 2M Karras", "DDIM"]);
const resizeModes = new Set([
  "Just Resize",
  "Crop and Resize",
  "Resize and Fill",
  "Inner Fit (Scale to Fit)",
  "Outer Fit (Shrink to Fit)",
  0,
  1,
  2,
  3,
]);
const controlModes = new Set(["Balanced", "My prompt is more important", "ControlNet is more important", 0, 1, 2]);

class ScriptError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A protocol-faithful A1111 (+ sd-webui-controlnet, Forge or SD.Next) on loopback. It validates what
 * the real server validates — FastAPI types, sampler names, unit modules and models, InstantID unit order,
 * base64 images, `ipadapter_input` torch blobs, region masks — and answers errors in the real shapes.
 */
export async function startMockA1111(options: MockA1111Options = {}): Promise<MockA1111> {
  const flavour = options.flavour ?? "a1111";
  const models = options.models ?? instantIdModels;
  const modules = options.modules ?? (flavour === "forge" ? forgeModules : a1111Modules);
  const failures = [...(options.failures ?? [])];
  const state = { step: 0, steps: 0, interrupted: false, busy: false };
  const generations: Record<string, unknown>[] = [];
  const embeddings: Float32Array[] = [];
  const counts = { interrupts: 0, progressPolls: 0, generationAttempts: 0, previewsSent: 0 };
  const previewOf = async (step: number, format: "png" | "jpeg") =>
    (
      await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: (step * 37) % 256, g: 90, b: 200 } } })
        .toFormat(format)
        .toBuffer()
    ).toString("base64");
  // A1111 renders a live preview only when the progress request does not skip it (modules/api/api.py, progressapi).
  const currentImage = async (url: URL, now: typeof state): Promise<string | null> => {
    if (!options.livePreviews || url.searchParams.get("skip_current_image") === "true" || !now.busy || now.step === 0) return null;
    counts.previewsSent++;
    return previewOf(now.step, options.livePreviews);
  };
  const usedUnits: Record<string, unknown>[][] = [];
  const faceRuns: Record<string, unknown>[] = [];
  const unitCount = options.unitCount ?? 3;

  const generate = async (request: IncomingMessage, response: ServerResponse) => {
    counts.generationAttempts++;
    const failure = failures.shift();
    if (failure === "drop") return void request.socket.destroy();
    const raw = await readBody(request);
    if (failure === "500")
      return sendJson(response, 500, {
        error: "OutOfMemoryError",
        detail: "",
        body: "",
        errors: "CUDA out of memory. Tried to allocate 20.00 MiB",
      });
    if (options.maxBodyBytes && raw.length > options.maxBodyBytes) return sendJson(response, 413, { detail: "Request Entity Too Large" });
    const body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    const typeIssues = checkTypes(body);
    if (typeIssues.length) return sendJson(response, 422, { detail: typeIssues });
    if (body.sampler_name !== undefined && !samplers.has(body.sampler_name as string))
      return sendJson(response, 404, { detail: "Sampler not found" });
    try {
      if (flavour === "sdnext") faceRuns.push(await runFace(body, options.faceScript ?? 17));
      else usedUnits.push(await checkUnits(apiUnits(body, unitCount), flavour, models, modules, embeddings));
    } catch (error) {
      const type = error instanceof ScriptError ? error.type : "Exception";
      return sendJson(response, 500, { error: type, detail: "", body: "", errors: (error as Error).message });
    }
    generations.push(body);
    const width = (body.width as number) ?? 512;
    const height = (body.height as number) ?? 512;
    Object.assign(state, { step: 0, steps: (body.steps as number) ?? 20, interrupted: false, busy: true });
    while (state.step < state.steps && !state.interrupted) {
      await sleep(options.stepMs ?? 0);
      state.step++;
    }
    state.busy = false;
    // As A1111 answers: the batch's images (seeds counting up), then each unit's detected map.
    const count = ((body.batch_size as number) ?? 1) * ((body.n_iter as number) ?? 1);
    const images: string[] = [];
    for (let i = 0; i < count; i++) images.push((await pngOf(width, height, 128 + i)).toString("base64"));
    const units =
      (body.alwayson_scripts as { controlnet?: { args?: { save_detected_map?: boolean }[] } } | undefined)?.controlnet?.args ?? [];
    for (const unit of units) if (unit.save_detected_map !== false) images.push((await pngOf(width, height, 0)).toString("base64"));
    const seed = (body.seed as number) === -1 || body.seed === undefined ? 1234 : (body.seed as number);
    const info = {
      prompt: body.prompt,
      all_prompts: Array.from({ length: count }, () => body.prompt),
      seed,
      all_seeds: Array.from({ length: count }, (_, i) => seed + i),
      width,
      height,
      steps: body.steps,
      infotexts: [`${body.prompt}\nSteps: ${body.steps}, Seed: ${seed}`],
    };
    sendJson(response, 200, { images, parameters: { ...body, alwayson_scripts: {} }, info: JSON.stringify(info) });
  };

  const running = await startServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://loopback");
    if (
      options.auth &&
      request.headers.authorization !== `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString("base64")}`
    ) {
      response.setHeader("www-authenticate", "Basic");
      return sendJson(response, 401, { detail: "Not authenticated" });
    }
    const route = `${request.method} ${url.pathname}`;
    if (route === "GET /sdapi/v1/motd" && flavour === "sdnext") return sendJson(response, 200, "SD.Next");
    if (url.pathname.startsWith("/controlnet/") && (options.controlNet === false || flavour === "sdnext"))
      return sendJson(response, 404, { detail: "Not Found" });
    switch (route) {
      case "GET /controlnet/version":
        // Forge's built-in ControlNet serves the lists and detect, not the version (lib_controlnet/api.py).
        return flavour === "forge" ? sendJson(response, 404, { detail: "Not Found" }) : sendJson(response, 200, { version: 3 });
      case "GET /controlnet/model_list":
        return sendJson(response, 200, { model_list: models });
      case "GET /controlnet/module_list":
        return sendJson(response, 200, { module_list: modules, module_detail: {} });
      case "GET /controlnet/settings":
        // sd-webui-controlnet's scripts/api.py; Forge's lib_controlnet/api.py has no such route.
        return flavour === "forge"
          ? sendJson(response, 404, { detail: "Not Found" })
          : sendJson(response, 200, { control_net_unit_count: unitCount });
      case "GET /sdapi/v1/options":
        return sendJson(response, 200, {
          sd_model_checkpoint: "sdxl.safetensors",
          ...(options.unitCountInOptions === false || flavour === "sdnext" ? {} : { control_net_unit_count: unitCount }),
        });
      case "GET /sdapi/v1/script-info":
        return flavour === "sdnext"
          ? sendJson(response, 200, sdNextScriptInfo(options.faceScript ?? 17))
          : sendJson(response, 404, { detail: "Not Found" });
      case "GET /sdapi/v1/progress": {
        counts.progressPolls++;
        // One moment's state: the step may advance while the preview is encoded.
        const now = { ...state };
        const current_image = await currentImage(url, now);
        return sendJson(response, 200, {
          progress: now.steps ? now.step / now.steps : 0,
          eta_relative: 0,
          state: {
            skipped: false,
            interrupted: now.interrupted,
            job: now.busy ? "txt2img" : "",
            job_count: now.busy ? 1 : 0,
            job_timestamp: "0",
            job_no: 0,
            sampling_step: now.step,
            sampling_steps: now.steps,
          },
          current_image,
          textinfo: null,
        });
      }
      case "POST /sdapi/v1/interrupt":
        counts.interrupts++;
        state.interrupted = true;
        await readBody(request);
        return sendJson(response, 200, {});
      case "POST /sdapi/v1/txt2img":
      case "POST /sdapi/v1/img2img":
        return generate(request, response);
      default:
        return sendJson(response, 404, { detail: "Not Found" });
    }
  });
  return { ...running, generations, embeddings, counts, usedUnits, faceRuns };
}

function checkTypes(body: Record<string, unknown>): { loc: string[]; msg: string; type: string }[] {
  const issues: { loc: string[]; msg: string; type: string }[] = [];
  const expect = (field: string, ok: (v: unknown) => boolean, msg: string, type: string) => {
    if (body[field] !== undefined && !ok(body[field])) issues.push({ loc: ["body", field], msg, type });
  };
  for (const field of ["width", "height", "steps", "seed", "batch_size", "n_iter"])
    expect(field, Number.isInteger, "value is not a valid integer", "type_error.integer");
  for (const field of ["cfg_scale", "denoising_strength"])
    expect(field, (v) => typeof v === "number", "value is not a valid float", "type_error.float");
  for (const field of ["prompt", "negative_prompt", "sampler_name"])
    expect(field, (v) => typeof v === "string", "str type expected", "type_error.str");
  return issues;
}

interface Unit {
  enabled?: boolean;
  module?: string;
  model?: string;
  weight?: number;
  image?: unknown;
  ipadapter_input?: unknown;
  resize_mode?: unknown;
  control_mode?: unknown;
  guidance_start?: number;
  guidance_end?: number;
  effective_region_mask?: unknown;
}

/**
 * The units the script gets: A1111's API (modules/api/api.py init_script_args) copies
 * min(script slots, request args) units into the script arguments, so the rest vanish.
 */
function apiUnits(body: Record<string, unknown>, slots: number): Unit[] {
  return ((body.alwayson_scripts as { controlnet?: { args?: Unit[] } } | undefined)?.controlnet?.args ?? []).slice(0, slots);
}

async function checkUnits(
  all: readonly Unit[],
  flavour: string,
  models: readonly string[],
  modules: readonly string[],
  embeddings: Float32Array[],
): Promise<Record<string, unknown>[]> {
  const units = all.filter((u) => u.enabled);
  for (const [i, unit] of units.entries()) {
    const module = unit.module ?? (flavour === "forge" ? "None" : "none");
    if (!modules.includes(module)) {
      // Forge: ControlNetUnit.from_dict takes any name, and bound_check_params reads the preprocessor it cannot find.
      if (flavour === "forge") throw new ScriptError("AttributeError", "'NoneType' object has no attribute 'slider_1'");
      throw new ScriptError(
        "ValidationError",
        `1 validation error for ControlNetUnit\nmodule\n  module(${module}) not found in supported modules. (type=value_error)`,
      );
    }
    const weight = unit.weight ?? 1;
    if (weight < 0 || weight > 2)
      throw new ScriptError(
        "ValidationError",
        `1 validation error for ControlNetUnit\nweight\n  ensure this value is less than or equal to 2.0 ` +
          `(type=value_error.number.not_le; limit_value=2.0)`,
      );
    if ((unit.guidance_start ?? 0) > (unit.guidance_end ?? 1))
      throw new ScriptError("ValidationError", `guidance_start(${unit.guidance_start}) > guidance_end(${unit.guidance_end})`);
    if (unit.resize_mode !== undefined && !resizeModes.has(unit.resize_mode as string))
      throw new ScriptError("ValueError", `'${unit.resize_mode}' is not a valid ResizeMode`);
    if (unit.control_mode !== undefined && !controlModes.has(unit.control_mode as string))
      throw new ScriptError("ValueError", `'${unit.control_mode}' is not a valid ControlMode`);
    if (unit.effective_region_mask !== undefined)
      await decodeBase64Image(unit.effective_region_mask, `unit ${i} effective_region_mask`).catch(asScriptError);
    if (unit.ipadapter_input !== undefined && flavour !== "forge") {
      const blobs = typeof unit.ipadapter_input === "string" ? [unit.ipadapter_input] : (unit.ipadapter_input as string[]);
      if (!blobs.length) throw new ScriptError("ValidationError", "ipadapter_input\n  input cannot be empty");
      for (const blob of blobs) {
        try {
          embeddings.push(readTorchFloatTensor(Buffer.from(blob, "base64"), 512));
        } catch (error) {
          throw new ScriptError("RuntimeError", `PytorchStreamReader failed reading zip archive: ${(error as Error).message}`);
        }
      }
    } else {
      if (unit.image === undefined || unit.image === null)
        throw new ScriptError("ValueError", "controlnet is enabled but no input image is given");
      const size = await decodeBase64Image(unit.image, `unit ${i} image`).catch(asScriptError);
      if (module.includes("instant_id") || module.includes("InstantID")) await requireFace(unit.image as string, size);
    }
    const model = unit.model ?? "None";
    // Forge: global_state.get_controlnet_filename is a dict lookup by the listed name, hash included.
    if (flavour === "forge" && !models.includes(model)) throw new ScriptError("KeyError", `'${model}'`);
    if (!resolveModel(model, models)) throw new ScriptError("RuntimeError", `model not found: ${model}`);
    if (model.includes("control_instant_id_sdxl")) {
      const previous = units[i - 1];
      if (flavour !== "forge" && !previous?.model?.includes("ip-adapter_instant_id_sdxl"))
        throw new ScriptError("AssertionError", "InstantID control model should follow ipadapter model.");
    }
  }
  return units as Record<string, unknown>[];
}

function asScriptError(error: Error): never {
  throw new ScriptError("ValueError", error.message);
}

/** sd-webui-controlnet resolves a name without its hash to the closest listed model. */
function resolveModel(model: string, models: readonly string[]): boolean {
  if (models.includes(model)) return true;
  const bare = model.replace(/ \[[0-9a-f]+\]$/, "").toLowerCase();
  return bare !== "none" && models.some((m) => m.toLowerCase().startsWith(bare));
}

/** The mock's face detector: a picture of one flat colour has no face. */
async function requireFace(image: string, size: { width: number; height: number }): Promise<void> {
  const stats = await sharp(Buffer.from(image, "base64")).stats();
  if (stats.channels.every((c) => c.stdev === 0))
    throw new ScriptError("Exception", `Insightface: No face found in image (${size.width}x${size.height}).`);
}

/** SD.Next's txt2img with its face script: the `face` object or `script_name`/`script_args`, run as the server's script takes them. */
async function runFace(body: Record<string, unknown>, version: FaceScriptVersion): Promise<Record<string, unknown>> {
  try {
    const run = runFaceScript(body, version);
    const images = (run.input_images as unknown[] | undefined) ?? [];
    for (const [i, image] of images.entries()) await decodeBase64Image(image, `input_images[${i}]`).catch(asScriptError);
    return run;
  } catch (error) {
    if (error instanceof ScriptError) throw error;
    const { type, message } = error as Error & { type?: string };
    throw new ScriptError(type ?? "Exception", message);
  }
}
