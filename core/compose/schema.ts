import { z } from "zod";
import type { Identity } from "../identity/identity.js";
import { MAX_KEYPOINT_COORDINATE } from "../kps/keypoints.js";
import { controlImageSchema, maskOrImageSchema } from "../schemas.js";
import { adapterScaleSchema, identityNetScaleSchema, renamedStrength } from "../strength.js";

const coordinate = z.number().finite().min(-MAX_KEYPOINT_COORDINATE).max(MAX_KEYPOINT_COORDINATE);
const point = z.tuple([coordinate, coordinate]);
const box = z
  .tuple([coordinate, coordinate, coordinate, coordinate])
  .refine(([x1, y1, x2, y2]) => x2 > x1 && y2 > y1, "must be [x1, y1, x2, y2] with x2 > x1 and y2 > y1");
const fraction = z.number().min(0).max(1);
const objectWith =
  (...keys: string[]) =>
  (v: unknown) =>
    typeof v === "object" && v !== null && keys.every((k) => k in v);

const identity = z.custom<Identity>(
  (v) => objectWith("embeddings", "combine")(v) && Array.isArray((v as Identity).embeddings) && (v as Identity).embeddings.length > 0,
  "an Identity (createIdentity or loadIdentity)",
);

const keypoints = z.union([
  z.object({ points: z.tuple([point, point, point, point, point]) }).strict(),
  z.object({ rect: box }).strict(),
  z.object({ poseFace: z.number().int().min(0) }).strict(),
  z
    .object({
      image: controlImageSchema,
    })
    .strict(),
]);

const region = z.union([
  z.object({ rect: box }).strict(),
  z.object({ polygon: z.array(point).min(3) }).strict(),
  z
    .object({
      mask: maskOrImageSchema,
    })
    .strict(),
  z.object({ face: z.object({ padding: z.number().min(0).max(10).optional() }).strict() }).strict(),
  z.object({ canvas: z.literal(true) }).strict(),
]);

const identityOptions = z
  .object({
    identity,
    name: z.string().min(1).optional(),
    keypoints: keypoints.optional(),
    region: region.optional(),
    adapterScale: adapterScaleSchema,
    identityNetScale: identityNetScaleSchema,
    ipScale: renamedStrength("adapterScale"),
    start: fraction.default(0),
    end: fraction.default(1),
    prompt: z.string().optional(),
  })
  .refine((o) => o.start <= o.end, { message: "start must not exceed end", path: ["end"] });

// The latent is 1/8 of the picture, and every backend needs whole latent pixels.
const side = z.number().int().min(8).max(16384).multipleOf(8, "must be a multiple of 8 (the latent is 1/8 of the picture)");

/** The zod schema of {@link CompositionOptions}, applied once by `createComposition`. */
export const compositionSchema = z.object({
  width: side,
  height: side,
  prompt: z.string(),
  negativePrompt: z.string().default(""),
  identities: z.array(identityOptions).min(1),
  pose: z
    .object({
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      faces: z.array(
        z
          .object({ bbox: z.tuple([coordinate, coordinate, coordinate, coordinate]), kps: z.tuple([point, point, point, point, point]) })
          .loose(),
      ),
    })
    .loose()
    .optional(),
  overlap: z.enum(["normalize", "reject", "allow"]).default("normalize"),
});

/** Composition options after validation and defaults. */
export type ParsedComposition = z.output<typeof compositionSchema>;
/** One identity's options after validation and defaults. */
export type ParsedIdentity = ParsedComposition["identities"][number];
