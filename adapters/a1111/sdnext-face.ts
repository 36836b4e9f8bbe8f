import { z } from "zod";
import { ErrorCode, InstantIdError } from "../../core/index.js";

/**
 * How an SD.Next server takes InstantID: through its `face` request object, when the API's mapping of
 * that object matches the face script, or as the face script's own positional arguments.
 */
export type FaceScriptLayout =
  | { readonly kind: "face-object" }
  | {
      readonly kind: "script-args";
      /** The `script_name` the API resolves to the face script. */
      readonly name: string;
      /** Every argument of the script's `run()` after `p`, at its default. */
      readonly defaults: readonly unknown[];
      /** Positions of the arguments InstantID sets. */
      readonly at: {
        readonly mode: number;
        readonly images: number;
        readonly strength: number;
        readonly conditioning: number;
        readonly cache: number;
      };
    };

/**
 * The arguments SD.Next's API builds from the `face` object (`modules/api/generate.py`), in order: the
 * face script's `run()` took exactly these until 2025-01-20; since then it takes 16, then 17, and
 * the object's values land in the wrong parameters (`id_conditioning` in `ip_structure`).
 */
export const FACE_OBJECT_ARGUMENTS = 14;

/** The face script's `run()` of current SD.Next (17 arguments since 2025-01-21), for dry runs that cannot ask. */
export const currentFaceScript: FaceScriptLayout = {
  kind: "script-args",
  name: "face",
  defaults: ["None", [], "ReSwapper 256 0.2", false, "FaceID Base", true, true, 1, 1, 1, 0.5, true, "PhotoMaker v2", "", 1, 0.5, true],
  at: { mode: 0, images: 1, strength: 9, conditioning: 10, cache: 11 },
};

const scriptInfoSchema = z.array(
  z.object({
    name: z.string().nullable().optional(),
    is_img2img: z.boolean().nullable().optional(),
    args: z.array(z.object({ label: z.string().nullable().optional(), value: z.unknown().optional() })),
  }),
);

/**
 * The face script's layout from `/sdapi/v1/script-info` (each script's UI arguments, labelled, in
 * `run()` order). The API's `face` object is kept for servers whose script takes the 14 arguments the
 * API builds; otherwise InstantID's values go by position: after `Mode` the input images, and the
 * InstantID group `Strength`, `Control`, `Cache model` (the one `Control` label).
 * A list without the face script (an API-only server lists its scripts only after its first generation)
 * gives current SD.Next's layout.
 * @throws InstantIdError SERVER when the answer is not a script list or the face script has an unknown layout.
 */
export function faceScriptFromInfo(answer: unknown, baseUrl: string): FaceScriptLayout {
  const parsed = scriptInfoSchema.safeParse(answer);
  if (!parsed.success)
    throw new InstantIdError(
      ErrorCode.Server,
      `GET /sdapi/v1/script-info on ${baseUrl} is not a script list: ${parsed.error.issues[0]?.message}`,
    );
  const face = parsed.data
    .filter((s) => (s.name ?? "").toLowerCase().split(":")[0].trim() === "face")
    .sort((a, b) => Number(Boolean(a.is_img2img)) - Number(Boolean(b.is_img2img)))[0];
  // An API-only server builds its scripts on the first generation, so its list may still be empty: assume current SD.Next.
  if (!face) return currentFaceScript;
  if (face.args.length === FACE_OBJECT_ARGUMENTS) return { kind: "face-object" };
  const labels = face.args.map((a) => a.label ?? "");
  const control = labels.indexOf("Control");
  if (labels[0] !== "Mode" || control < 3 || labels[control - 1] !== "Strength" || labels[control + 1] !== "Cache model") {
    throw new InstantIdError(
      ErrorCode.Server,
      `The face script of the SD.Next server at ${baseUrl} has arguments this SDK does not know ` +
        `(${labels.map((l) => JSON.stringify(l)).join(", ")}); InstantID's Strength/Control/Cache model group was not found. ` +
        `Send the request with the face object yourself, or update the SDK`,
      { details: { labels } },
    );
  }
  return {
    kind: "script-args",
    name: "face",
    defaults: face.args.map((a) => a.value ?? null),
    at: { mode: 0, images: 1, strength: control - 1, conditioning: control, cache: control + 1 },
  };
}

/** What InstantID sets on the face script. */
export interface FaceScriptValues {
  readonly images: readonly string[];
  readonly strength: number;
  readonly conditioning: number;
}

/** The request fields that run SD.Next's face script in InstantID mode with `values`, for the server's layout. */
export function faceScriptFields(values: FaceScriptValues, layout: FaceScriptLayout): Record<string, unknown> {
  if (layout.kind === "face-object") {
    return {
      face: {
        mode: "InstantID",
        source_images: [...values.images],
        id_strength: values.strength,
        id_conditioning: values.conditioning,
        id_cache: true,
      },
    };
  }
  const args = [...layout.defaults];
  args[layout.at.mode] = "InstantID";
  args[layout.at.images] = [...values.images];
  args[layout.at.strength] = values.strength;
  args[layout.at.conditioning] = values.conditioning;
  args[layout.at.cache] = true;
  return { script_name: layout.name, script_args: args };
}
