import { basename, join, resolve } from "node:path";
import { ErrorCode, InstantIdError } from "../errors.js";
import type { ConformanceKind, ConformanceSummary } from "./kind.js";
import { builtInKinds } from "./kinds.js";

const kinds = new Map<string, ConformanceKind>(builtInKinds.map((kind) => [kind.name, kind]));

/** Every registered kind, by name, plus `extra` kinds (those an adapter implements, e.g. the runner's `pipeline`). */
export function conformanceKinds(extra: readonly ConformanceKind[] = []): ReadonlyMap<string, ConformanceKind> {
  return extra.length ? new Map([...kinds, ...extra.map((kind) => [kind.name, kind] as const)]) : kinds;
}

/** Options of {@link runConformance}. */
export interface RunConformanceOptions {
  readonly out: string;
  readonly modelsDir?: string;
  readonly onProgress?: (message: string) => void;
  /** Kinds beyond the core's own, implemented outside the core (the core never imports an adapter). */
  readonly kinds?: readonly ConformanceKind[];
}

/** Runs each reference folder through the kind named by its folder name and writes results under `out/<kind>/`. */
export async function runConformance(dirs: readonly string[], options: RunConformanceOptions): Promise<Map<string, ConformanceSummary>> {
  const known = conformanceKinds(options.kinds);
  const plan = dirs.map((dir) => {
    const name = basename(resolve(dir));
    const kind = known.get(name);
    if (!kind) {
      throw new InstantIdError(
        ErrorCode.InvalidInput,
        `No conformance kind named ${name} (from ${dir}); the folder name must be one of: ${[...known.keys()].join(", ")}`,
      );
    }
    return { dir, kind };
  });
  const summaries = new Map<string, ConformanceSummary>();
  for (const { dir, kind } of plan) {
    options.onProgress?.(`${kind.name}: ${dir}`);
    const summary = await kind.run({
      caseDir: dir,
      outDir: join(options.out, kind.name),
      modelsDir: options.modelsDir,
      onProgress: options.onProgress,
    });
    summaries.set(kind.name, summary);
  }
  return summaries;
}
