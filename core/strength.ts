import { z } from "zod";
import { DEFAULT_ADAPTER_SCALE, DEFAULT_IDENTITYNET_SCALE } from "./defaults.js";

/**
 * The largest InstantID strength the SDK accepts: ComfyUI_InstantID's `cn_strength` bound, far past any
 * useful value (InstantID's README tunes both between 0 and 1.5). A frontend with a tighter bound of its own
 * (A1111's unit `weight`, ComfyUI's `ip_weight`) is checked where its request is built.
 */
export const MAX_STRENGTH = 10;

/** One InstantID strength (`adapterScale` or `identityNetScale`): the SDK's one set of bounds, [0, {@link MAX_STRENGTH}]. */
export const strengthSchema = z.number().finite().min(0).max(MAX_STRENGTH);

/** The Image Adapter's scale, {@link DEFAULT_ADAPTER_SCALE} when left out. */
export const adapterScaleSchema = strengthSchema.default(DEFAULT_ADAPTER_SCALE);

/** IdentityNet's scale, {@link DEFAULT_IDENTITYNET_SCALE} when left out. */
export const identityNetScaleSchema = strengthSchema.default(DEFAULT_IDENTITYNET_SCALE);

/**
 * A strength's former name, refused with the name to use: an unknown key would otherwise be dropped without a
 * word and the default scale used in its place.
 */
export const renamedStrength = (now: "adapterScale" | "identityNetScale") =>
  z.undefined({ error: `renamed: give the strength as ${now}` }).optional();
