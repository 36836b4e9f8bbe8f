import { join } from "node:path";
import { writeFileAtomic } from "../../../core/internal.js";
import type { StageTiming } from "./timings.js";

/** What `report.json` holds. */
export interface DemoReport {
  /** "synthetic" (random-weight models the SDK built) or "real". */
  readonly mode: "synthetic" | "real";
  /** Plain-language warnings that must travel with the images (random weights, random embedding...). */
  readonly notices: readonly string[];
  readonly models: Readonly<Record<string, string>>;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly outputs: Readonly<Record<string, string>>;
  readonly stages: readonly StageTiming[];
  readonly totalMs: number;
  /** Parts of the full pipeline that could not run, with what to do. */
  readonly missing: readonly string[];
}

/** Writes `report.json` into `outDir` and returns its path. */
export async function writeReport(outDir: string, report: DemoReport): Promise<string> {
  const path = join(outDir, "report.json");
  const rounded = {
    ...report,
    stages: report.stages.map((s) => ({ ...s, ms: Math.round(s.ms * 10) / 10 })),
    totalMs: Math.round(report.totalMs),
  };
  await writeFileAtomic(path, `${JSON.stringify(rounded, null, 2)}\n`);
  return path;
}

/** The timing table printed at the end of the demo. */
export function formatTimingTable(stages: readonly StageTiming[], totalMs: number): string {
  const width = Math.max(5, ...stages.map((s) => s.stage.length));
  const line = (stage: string, ms: number, note = "") =>
    `  ${stage.padEnd(width)}  ${ms.toFixed(0).padStart(7)} ms${note ? `  ${note}` : ""}\n`;
  return `${stages.map((s) => line(s.stage, s.ms, s.note)).join("")}  ${"-".repeat(width + 12)}\n${line("total", totalMs)}`;
}
