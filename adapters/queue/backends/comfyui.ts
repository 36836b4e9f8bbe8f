import {
  chooseModels,
  comfyWorkflowFromComposition,
  createComfyClient,
  uploadPlacer,
  type ComfyClient,
  type ComfyModels,
} from "../../comfyui/index.js";
import { ErrorCode, InstantIdError } from "../../../core/index.js";
import { jobBytes, jobComposition } from "../job-composition.js";
import type { GenerationJob } from "../job.js";
import { askedOnce, type BackendControls, type GenerationBackend } from "./backend.js";

/** Where the ComfyUI server is and what it runs with. */
export interface ComfyBackendOptions {
  readonly url: string;
  readonly auth?: { readonly username: string; readonly password: string };
  readonly timeoutMs?: number;
  /** The SDXL checkpoint as the server lists it (default: the first with "xl" in its name). */
  readonly checkpoint?: string;
  /** Where ComfyUI_InstantID runs insightface (default CUDA). */
  readonly provider?: "CPU" | "CUDA" | "ROCM" | "CoreML";
}

/** The file extension ComfyUI needs to load a photo, from its leading bytes. */
function photoExtension(data: Uint8Array): string {
  if (data[0] === 0xff && data[1] === 0xd8) return ".jpg";
  if (data[0] === 0x52 && data[1] === 0x49 && data[8] === 0x57 && data[9] === 0x45) return ".webp";
  return ".png";
}

function facePhotos(job: GenerationJob): { data: Uint8Array; extension: string }[] {
  const missing = job.identities.flatMap((person, i) => (person.photo ? [] : [i + 1]));
  if (missing.length) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `ComfyUI_InstantID reads each face from its photo, but identities ${missing.join(", ")} of the job carry none: give each ` +
        `identity its photo, or send the job to a1111 or local workers.`,
      { details: { retryable: false } },
    );
  }
  return job.identities.map((person) => {
    const data = jobBytes(person.photo!);
    return { data, extension: photoExtension(data) };
  });
}

/** Jobs on a ComfyUI server with ComfyUI_InstantID, as `instantid compose --backend comfyui` sends them. */
export function comfyuiBackend(options: ComfyBackendOptions): GenerationBackend {
  const client: ComfyClient = createComfyClient({ baseUrl: options.url, auth: options.auth, timeoutMs: options.timeoutMs, retries: 0 });
  const serverModels: () => Promise<ComfyModels> = askedOnce(async () =>
    chooseModels(await client.objectInfo(), { checkpoint: options.checkpoint }),
  );
  return {
    name: "comfyui",
    async run(job, controls: BackendControls) {
      const photos = facePhotos(job);
      const composition = await jobComposition(job);
      const { steps, cfg, seed } = job.settings;
      const workflow = await comfyWorkflowFromComposition(composition, {
        ...(await serverModels()),
        provider: options.provider,
        steps,
        cfg,
        seed,
        photos,
        place: uploadPlacer(client),
      });
      const result = await client.run(workflow, { ...controls, previews: (controls.previewEvery ?? 0) > 0 });
      return { images: result.images.map((image) => image.data), report: { promptId: result.promptId, seed, workflow } };
    },
  };
}
