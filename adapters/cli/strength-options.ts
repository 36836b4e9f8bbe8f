import { DEFAULT_ADAPTER_SCALE, DEFAULT_IDENTITYNET_SCALE, invalidOption, MAX_STRENGTH, strengthSchema } from "../../core/internal.js";
import type { CliOption } from "./command.js";
import { perIdentityNumbers } from "./compose/region-arg.js";

/** The two InstantID strengths' flags, spelled alike by every command. */
export const STRENGTH_FLAGS = { adapterScale: "adapter-scale", identityNetScale: "identitynet-scale" } as const;

const EXPECTED = `a number from 0 to ${MAX_STRENGTH}`;

/** `--adapter-scale` and `--identitynet-scale`: one value, or with `perIdentity` one for all or one per identity. */
export function strengthOptions(perIdentity = false): Record<string, CliOption> {
  const value = perIdentity ? "S[,S...]" : "S";
  const each = perIdentity ? ", one for all or one per identity" : "";
  return {
    [STRENGTH_FLAGS.adapterScale]: {
      type: "string",
      value,
      description: `Image Adapter scale (image attention)${each}`,
      default: String(DEFAULT_ADAPTER_SCALE),
    },
    [STRENGTH_FLAGS.identityNetScale]: {
      type: "string",
      value,
      description: `IdentityNet scale (keypoint conditioning)${each}`,
      default: String(DEFAULT_IDENTITYNET_SCALE),
    },
  };
}

function checked(value: number, flag: string, raw: unknown): number {
  if (!strengthSchema.safeParse(value).success) throw invalidOption(`--${flag}`, EXPECTED, raw);
  return value;
}

/** One strength flag's value, within the SDK's bounds. */
export function parseStrength(values: Record<string, unknown>, key: keyof typeof STRENGTH_FLAGS): number {
  const flag = STRENGTH_FLAGS[key];
  const raw = values[flag];
  const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
  return checked(value, flag, raw);
}

/** One strength flag's values, one per identity (a single value goes for all), each within the SDK's bounds. */
export function parseStrengths(values: Record<string, unknown>, key: keyof typeof STRENGTH_FLAGS, count: number): number[] {
  const flag = STRENGTH_FLAGS[key];
  return perIdentityNumbers(values[flag] as string, count, `--${flag}`).map((n) => checked(n, flag, values[flag]));
}
