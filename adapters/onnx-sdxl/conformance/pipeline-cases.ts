import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ErrorCode, InstantIdError } from "../../../core/index.js";
import { parseOptions } from "../../../core/internal.js";

const caseSchema = z.object({
  name: z.string().regex(/^[\w.-]+$/, "a plain name (it prefixes the result tensors)"),
  steps: z.number().int().min(1),
  guidance: z.number().min(0),
  ip_scale: z.number(),
  cn_scale: z.number(),
  start: z.number().min(0).max(1).default(0),
  end: z.number().min(0).max(1).default(1),
  height: z.number().int().positive().optional(),
  width: z.number().int().positive().optional(),
});

const casesSchema = z.object({
  resampler_config: z.object({ heads: z.number().int().positive() }).passthrough(),
  vae_scaling_factor: z.number().positive(),
  cases: z.array(caseSchema).min(1),
});

/** One run of InstantID's pipeline: its settings as `cases.json` states them. */
export type PipelineCase = z.output<typeof caseSchema>;

/** A `pipeline` reference folder's `cases.json`: the Resampler's head count, the VAE factor and the runs. */
export type PipelineCases = z.output<typeof casesSchema>;

/** Reads and validates `<dir>/cases.json`. */
export async function readPipelineCases(dir: string): Promise<PipelineCases> {
  const path = join(dir, "cases.json");
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `Cannot read the pipeline cases ${path}: ${(error as Error).message}. Point the conformance run at a golden pipeline folder.`,
      { cause: error },
    );
  }
  return parseOptions(casesSchema, json, `pipeline cases (${path})`);
}
