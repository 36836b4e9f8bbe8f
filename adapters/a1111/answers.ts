import { z } from "zod";

/**
 * The shapes of the A1111 / Forge / SD.Next answers the bridge reads (modules/api/models.py,
 * sd-webui-controlnet scripts/api.py): anything else is reported with what the server sent.
 */

/** `POST /sdapi/v1/txt2img` and `/img2img`: base64 images, the request echo, the info as a JSON string. */
export const generationAnswer = z.looseObject({
  images: z.array(z.string()),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  info: z.string().nullish(),
});

/** `GET /controlnet/module_list`. */
export const moduleListAnswer = z.looseObject({ module_list: z.array(z.string()) });

/** `GET /controlnet/model_list`. */
export const modelListAnswer = z.looseObject({ model_list: z.array(z.string()) });

/** `GET /sdapi/v1/progress`: only the sampling step counters are read. */
export const progressAnswer = z.looseObject({
  progress: z.number().nullish(),
  state: z.looseObject({ sampling_step: z.number().nullish(), sampling_steps: z.number().nullish() }).nullish(),
  /** The live preview, base64 (PNG by default; `live_previews_image_format` may make it JPEG or WebP), when the server makes them. */
  current_image: z.string().nullish(),
});

/** The `info` string of a generation answer, parsed: a JSON object (seeds, prompts, ...). */
export const infoAnswer = z.record(z.string(), z.unknown());
