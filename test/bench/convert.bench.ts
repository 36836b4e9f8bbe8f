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
  const script =
    `const m = await import(${JSON.stringify(index)}); const { open } = await import("node:fs/promises"); const t = ` +
    `performance.now(); ${body}; const ms = performance.now() - t; console.log(JSON.stringify({ ms, rssMb: ` +
    `process.resourceUsage().maxRSS / 1024 }));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout);
}

// A plain streaming read of the weights file, 16 MiB at a time: the floor any conversion pays.
const readBody = (file: string) =>
  `const h = await open(${JSON.stringify(file)}); const b = Buffer.alloc(16 << 20); let n = 0; do { n = (await h.read(b, 0, ` +
  `b.length, null)).bytesRead; } while (n > 0); await h.close()`;
// A plain copy (the same streaming read, each chunk written to a new file): the floor once the output is written too.
const copyBody = (file: string, to: string) =>
  `const h = await open(${JSON.stringify(file)}); const o = await open(${JSON.stringify(to)}, "w"); const b = Buffer.alloc(16 << ` +
  `20); let n = 0; do { n = (await h.read(b, 0, b.length, null)).bytesRead; if (n) await o.write(b, 0, n); } while (n > 0); ` +
  `await h.close(); await o.close()`;
const convertBody = (dir: string, output: string, dtype: "fp16" | "fp32" = "fp16") =>
  `const r = await m.convertControlNet({ dir: ${JSON.stringify(dir)}, output: ${JSON.stringify(output)}, dtype: "${dtype}" }); ` +
  `if (r.linked !== ${dtype === "fp16" && !output.startsWith(SHM)}) throw new Error("linked: " + r.linked)`;

// A RAM-backed file system on another device than the temp dir: the checkpoint cannot be linked there, so the
// converter streams the tensors, and writing costs memory bandwidth rather than the disk's write-back.
const SHM = "/dev/shm";
async function otherDevice(dir: string): Promise<string | undefined> {
  const [shm, tmp] = await Promise.all([stat(SHM).catch(() => undefined), stat(dir)]);
  return shm?.isDirectory() && shm.dev !== tmp.dev ? mkdtemp(join(SHM, "instantid-bench-convert-")) : undefined;
}

/** Best of two alternated runs of each body (the first read after writing competes with write-back); `between` runs after each. */
async function bestOfTwo(bodies: readonly string[], between: () => Promise<void> = async () => {}): Promise<Measured[]> {
  const best: Measured[] = [];
  for (let round = 0; round < 2; round++) {
    for (const [i, body] of bodies.entries()) {
      const m = await measure(body);
      await between();
      if (!best[i] || m.ms < best[i].ms) best[i] = m;
    }
  }
  return best;
}

const row = (
  name: string,
  value: number,
  unit: string,
  baselineName: string,
  baseline: number,
  goal: string,
  met: boolean | undefined,
  ratio?: number,
): BenchResult => ({
  name,
  value,
  unit,
  baselineName,
  baseline,
  goal,
  ...(met === undefined ? {} : { met }),
  ...(ratio === undefined ? {} : { ratio }),
});

/**
 * Converting InstantX-size IdentityNet weights (InstantX's config, seeded random fp16 weights of the real shapes,
 * 2.5 GB, written into a temp folder and removed afterwards), each step in a fresh process:
 * - as published (fp16 kept, the data file a hard link of the checkpoint) against a plain read and a plain copy
 *   of the same file, and its peak RSS above a process that only read it;
 * - streamed, where the checkpoint cannot be linked: onto a RAM-backed file system on another device (/dev/shm,
 *   when it is one), fp16 and fp32 (every weight widened, twice the bytes written), against a plain copy there.
 * Opt-in (it writes 5 GB and takes minutes on a small machine): `npm run bench convert`, or INSTANTID_BENCH_CONVERT=1.
 */
export const convertBenchmark: Benchmark = {
  name: "convert",
  available: () => process.env.INSTANTID_BENCH_CONVERT === "1" || (process.argv[2] ?? "").includes("convert"),
  skipReason: "opt-in (writes 5 GB): run `npm run bench convert` or set INSTANTID_BENCH_CONVERT=1",
  async run() {
    const dir = await mkdtemp(join(tmpdir(), "instantid-bench-convert-"));
    const shm = await otherDevice(dir);
    try {
      const source = join(dir, "ControlNetModel");
      await writeRandomControlNet(source, SDXL_CONTROLNET_CONFIG);
      const weights = join(source, (await readdir(source)).find((f) => f.endsWith(".safetensors"))!);
      const fileGb = (await stat(weights)).size / 1e9;
      const name = `convert IdentityNet, InstantX's config, ${fileGb.toFixed(2)} GB fp16 safetensors → ONNX + external data`;
      const [read, copy, convert] = await bestOfTwo([
        readBody(weights),
        copyBody(weights, join(dir, "copy.bin")),
        convertBody(source, join(dir, "identitynet.onnx")),
      ]);
      const growth = convert.rssMb - read.rssMb;
      const rows = [
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
      if (shm) rows.push(...(await streamedRows(name, source, weights, shm, read)));
      return rows;
    } finally {
      await rm(dir, { recursive: true, force: true });
      if (shm) await rm(shm, { recursive: true, force: true });
    }
  },
};

/** The streamed conversion (no link possible: the output on another device), fp16 and fp32, against a plain copy to the same place. */
async function streamedRows(name: string, source: string, weights: string, shm: string, read: Measured): Promise<BenchResult[]> {
  // Each output is removed after its run: three 2.5–5 GB files would otherwise sit in memory together.
  const clear = async () => {
    for (const f of await readdir(shm)) await rm(join(shm, f), { force: true });
  };
  const [copy, half, full] = await bestOfTwo(
    [
      copyBody(weights, join(shm, "copy.bin")),
      convertBody(source, join(shm, "identitynet.onnx")),
      convertBody(source, join(shm, "identitynet.onnx"), "fp32"),
    ],
    clear,
  );
  const streamed = `${name}, streamed onto another file system (${SHM}, RAM-backed)`;
  return [
    row(
      `${streamed}, fp16 (time)`,
      half.ms,
      "ms",
      `plain copy of the same file to ${SHM}`,
      copy.ms,
      "ratio ≤ 1.5",
      half.ms / copy.ms <= 1.5,
    ),
    row(
      `${streamed}, fp16 (time, against a plain read)`,
      half.ms,
      "ms",
      "plain streaming read of the same file",
      read.ms,
      "none: issue 20's ratio ≤ 3 is the linked case's; a rewrite is bound by the write",
      undefined,
    ),
    row(
      `${streamed}, fp32: every weight widened, 2× the bytes written (time)`,
      full.ms,
      "ms",
      `plain copy of the same file to ${SHM}`,
      copy.ms,
      "expectation ≈ 2 (twice the bytes written) plus the widening",
      undefined,
    ),
    row(
      `${streamed}, fp16 (peak RSS above a read-only process)`,
      half.rssMb - read.rssMb,
      "MB",
      "peak RSS of the read-only process",
      read.rssMb,
      "< 1536 MB above it",
      half.rssMb - read.rssMb < 1536,
      (half.rssMb - read.rssMb) / read.rssMb,
    ),
  ];
}
