import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SDXL_CONTROLNET_CONFIG, writeRandomControlNet } from "../../core/synthetic/random-checkpoint.js";
import type { Benchmark, BenchResult } from "./benchmark.js";

const run = promisify(execFile);

interface Measured {
  readonly ms: number;
  readonly rssMb: number;
}

/**
 * Runs `body` in a fresh Node process that has imported the bundled SDK (so both measurements share the same
 * baseline) and reports its wall time and peak RSS.
 */
async function measure(body: string): Promise<Measured> {
  const index = fileURLToPath(new URL("./index.js", import.meta.url));
  const script = `const m = await import(${JSON.stringify(index)}); const { open } = await import("node:fs/promises"); const t = performance.now(); ${body}; const ms = performance.now() - t; console.log(JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024 }));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout);
}

// A plain streaming read of the weights file, 16 MiB at a time: the floor any conversion pays.
const readBody = (file: string) =>
  `const h = await open(${JSON.stringify(file)}); const b = Buffer.alloc(16 << 20); let n = 0; do { n = (await h.read(b, 0, b.length, null)).bytesRead; } while (n > 0); await h.close()`;
// A plain copy (the same streaming read, each chunk written to a new file): the floor once the output is written too.
const copyBody = (file: string, to: string) =>
  `const h = await open(${JSON.stringify(file)}); const o = await open(${JSON.stringify(to)}, "w"); const b = Buffer.alloc(16 << 20); let n = 0; do { n = (await h.read(b, 0, b.length, null)).bytesRead; if (n) await o.write(b, 0, n); } while (n > 0); await h.close(); await o.close()`;
const convertBody = (dir: string, output: string) =>
  `await m.convertControlNet({ dir: ${JSON.stringify(dir)}, output: ${JSON.stringify(output)} })`;

const row = (
  name: string,
  value: number,
  unit: string,
  baselineName: string,
  baseline: number,
  goal: string,
  met: boolean,
  ratio?: number,
): BenchResult => ({ name, value, unit, baselineName, baseline, goal, met, ...(ratio === undefined ? {} : { ratio }) });

/**
 * Converting InstantX-size IdentityNet weights (InstantX's config, seeded random fp16 weights of the real shapes,
 * 2.5 GB, written into a temp folder and removed afterwards): time against a plain read and a plain copy of the
 * same file (a conversion writes 2.5 GB too, so the disk's write speed is its floor), and peak RSS above a
 * process that only read it. Opt-in (it writes 5 GB and takes minutes on a small machine):
 * `npm run bench convert`, or INSTANTID_BENCH_CONVERT=1 for a full run.
 */
export const convertBenchmark: Benchmark = {
  name: "convert",
  available: () => process.env.INSTANTID_BENCH_CONVERT === "1" || (process.argv[2] ?? "").includes("convert"),
  skipReason: "opt-in (writes 5 GB): run `npm run bench convert` or set INSTANTID_BENCH_CONVERT=1",
  async run() {
    const dir = await mkdtemp(join(tmpdir(), "instantid-bench-convert-"));
    try {
      const source = join(dir, "ControlNetModel");
      await writeRandomControlNet(source, SDXL_CONTROLNET_CONFIG);
      const weights = join(source, (await readdir(source)).find((f) => f.endsWith(".safetensors"))!);
      const fileGb = (await stat(weights)).size / 1e9;
      const output = join(dir, "identitynet.onnx");
      // Alternate and keep the best of two: the first read after writing competes with write-back.
      const best = (a: Measured, b: Measured) => (a.ms <= b.ms ? a : b);
      const copyTo = join(dir, "copy.bin");
      const read1 = await measure(readBody(weights));
      const copy1 = await measure(copyBody(weights, copyTo));
      const convert1 = await measure(convertBody(source, output));
      const read = best(read1, await measure(readBody(weights)));
      const copy = best(copy1, await measure(copyBody(weights, copyTo)));
      const convert = best(convert1, await measure(convertBody(source, output)));
      const name = `convert IdentityNet, InstantX's config, ${fileGb.toFixed(2)} GB fp16 safetensors → ONNX + external data`;
      const growth = convert.rssMb - read.rssMb;
      return [
        row(`${name} (time)`, convert.ms, "ms", "plain streaming read of the same file", read.ms, "ratio ≤ 3", convert.ms / read.ms <= 3),
        row(
          `${name} (time, against a copy)`,
          convert.ms,
          "ms",
          "plain copy of the same file (read + write)",
          copy.ms,
          "ratio ≤ 1.5 (the write dominates)",
          convert.ms / copy.ms <= 1.5,
        ),
        row(
          `${name} (peak RSS above a read-only process)`,
          growth,
          "MB",
          "peak RSS of the read-only process",
          read.rssMb,
          "< 1536 MB above it",
          growth < 1536,
          growth / read.rssMb,
        ),
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
