import { z } from "zod";
import { ErrorCode, InstantIdError, type Identity } from "../../core/index.js";
import { encodeIdentity, strengthSchema } from "../../core/internal.js";
import { QUEUE_DEFAULTS } from "./defaults.js";

/**
 * The layout of a generation job this SDK writes and reads. A worker refuses a job with a higher
 * version (it was written by a newer SDK), so old workers never misread new jobs. Version 2 names the
 * Image Adapter's strength `adapterScale` (version 1 said `ipScale`); version 1 jobs are still read.
 */
export const GENERATION_JOB_VERSION = 2;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes on the wire: base64 in the job (Redis stores JSON); producers may hand over a Uint8Array. */
const bytes = (what: string) =>
  z.union([
    z.string().min(4, `${what}: expected base64 bytes`).regex(BASE64, `${what}: expected base64 bytes`),
    z
      .custom<Uint8Array>((v) => v instanceof Uint8Array, `${what}: expected bytes`)
      .transform((data) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64")),
  ]);

const isIdentity = (v: unknown): v is Identity =>
  typeof v === "object" && v !== null && !(v instanceof Uint8Array) && Array.isArray((v as Identity).embeddings);

/** An identity file's bytes (what `saveIdentity` writes), or an Identity the producer encodes. Never the face photo. */
const identityData = z.union([
  z.custom<Identity>(isIdentity, "an Identity").transform((identity) => encodeIdentity(identity).toString("base64")),
  bytes("identity"),
]);

const coordinate = z.number().finite();
const point = z.tuple([coordinate, coordinate]);
const box = z.tuple([coordinate, coordinate, coordinate, coordinate]);

const keypoints = z.union([
  z.object({ points: z.tuple([point, point, point, point, point]) }).strict(),
  z.object({ rect: box }).strict(),
  z.object({ poseFace: z.number().int().min(0) }).strict(),
]);

const region = z.union([
  z.object({ rect: box }).strict(),
  z.object({ polygon: z.array(point).min(3) }).strict(),
  /** A mask image (PNG or JPEG bytes; its red channel / 255, as ComfyUI's LoadImageMask reads it). */
  z.object({ mask: bytes("region mask") }).strict(),
  z.object({ face: z.object({ padding: z.number().min(0).max(10).optional() }).strict() }).strict(),
  z.object({ canvas: z.literal(true) }).strict(),
]);

const person = z
  .object({
    identity: identityData,
    name: z.string().min(1).optional(),
    /** Canvas keypoints, a face box to fit the identity's own keypoints into, or a face of `pose`. */
    keypoints: keypoints.optional(),
    region: region.optional(),
    adapterScale: strengthSchema.optional(),
    identityNetScale: strengthSchema.optional(),
    start: z.number().min(0).max(1).optional(),
    end: z.number().min(0).max(1).optional(),
    /** A prompt for this identity's region. */
    prompt: z.string().optional(),
    /** The face photo, only for a backend that analyses faces on the server (ComfyUI_InstantID reads the embedding from it). */
    photo: bytes("photo").optional(),
    /** The local backend's region prompt: prompt_embeds of "PROMPT, REGION PROMPT" as safetensors (as `--region-embeds`). */
    regionEmbeddings: bytes("regionEmbeddings").optional(),
  })
  .strict();

const side = z.number().int().min(8).max(16384).multipleOf(8, "must be a multiple of 8");

const settings = z
  .object({
    steps: z.number().int().min(1).max(1000).default(QUEUE_DEFAULTS.steps),
    cfg: z.number().min(0).max(50).default(QUEUE_DEFAULTS.cfg),
    /** Fixed when the job is enqueued, so every attempt and every worker draws the same noise. */
    seed: z.number().int().min(0).max(0xffffffff),
    /** The local runner's scheduler (the server backends use their own sampler). */
    scheduler: z.enum(["euler", "euler-ancestral", "dpmpp-2m-karras", "ddim", "lcm"]).optional(),
  })
  .strict();

/**
 * One InstantID generation as a queue job: what a worker needs and nothing it can recompute. The
 * composition is sent as its options (identity files, keypoints or pose faces, regions); each worker
 * lays it out again with `createComposition`, so keypoint images and masks never travel.
 */
export const generationJobSchema = z
  .object({
    version: z.literal(GENERATION_JOB_VERSION),
    width: side,
    height: side,
    prompt: z.string(),
    negativePrompt: z.string().default(""),
    identities: z.array(person).min(1).max(16),
    /** The analysed pose photo's faces, for `poseFace` keypoints (never the photo). */
    pose: z
      .object({
        width: z.number().int().positive(),
        height: z.number().int().positive(),
        faces: z.array(z.object({ bbox: box, kps: z.tuple([point, point, point, point, point]) })).min(1),
      })
      .optional(),
    overlap: z.enum(["normalize", "reject", "allow"]).optional(),
    settings,
    /** The local backend's prompt conditioning (it has no text encoder): the safetensors file `--embeds` reads. */
    promptEmbeddings: bytes("promptEmbeddings").optional(),
  })
  .strict();

/** A job as workers read it: validated, bytes as base64, defaults applied. */
export type GenerationJob = z.output<typeof generationJobSchema>;

/** What a producer passes to `enqueueGeneration`: bytes or Identity objects welcome; the seed may be left out (drawn once, then fixed). */
export type GenerationRequest = Omit<z.input<typeof generationJobSchema>, "version" | "settings"> & {
  readonly settings?: Omit<z.input<typeof settings>, "seed"> & { readonly seed?: number };
};

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join(".") || "(job)"}: ${issue.message}`)
    .slice(0, 8)
    .join("; ");
}

/**
 * Checks a job's data: its version first (a newer job is refused with a message saying to upgrade the
 * worker), then every field.
 * @throws InstantIdError INVALID_INPUT naming the fields at fault.
 */
export function parseGenerationJob(data: unknown): GenerationJob {
  const version = typeof data === "object" && data !== null ? (data as { version?: unknown }).version : undefined;
  if (typeof version === "number" && version > GENERATION_JOB_VERSION) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `This generation job has layout version ${version}, newer than this worker reads (${GENERATION_JOB_VERSION}); upgrade ` +
        `instantid on the worker machines.`,
      { details: { version, supported: GENERATION_JOB_VERSION } },
    );
  }
  const parsed = generationJobSchema.safeParse(version === 1 ? fromVersion1(data as Record<string, unknown>) : data);
  if (!parsed.success) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `Malformed generation job: ${describeIssues(parsed.error)}. Build jobs with enqueueGeneration (instantid/queue).`,
      {
        details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) },
      },
    );
  }
  return parsed.data;
}

/** A version 1 job (queued by an older SDK) in version 2's words: each identity's `ipScale` is its `adapterScale`. */
function fromVersion1(job: Record<string, unknown>): Record<string, unknown> {
  const identities = Array.isArray(job.identities)
    ? job.identities.map((person: unknown) => {
        if (typeof person !== "object" || person === null || !("ipScale" in person)) return person;
        const { ipScale, ...rest } = person as Record<string, unknown>;
        return { ...rest, adapterScale: ipScale };
      })
    : job.identities;
  return { ...job, version: GENERATION_JOB_VERSION, identities };
}

/** Turns a producer's request into job data: bytes encoded, the seed fixed (drawn when absent), validated. */
export function toGenerationJob(request: GenerationRequest, drawSeed: () => number): GenerationJob {
  const seed = request.settings?.seed ?? drawSeed();
  return parseGenerationJob({ ...request, version: GENERATION_JOB_VERSION, settings: { ...request.settings, seed } });
}
