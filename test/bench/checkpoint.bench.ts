import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { crossAttentionSites, SDXL_UNET } from "../../core/image-adapter/unet-layout.js";
import { writeTorchSave } from "../../core/checkpoint/torch-save.js";
import type { Tensor } from "../../core/tensor/tensor.js";
import type { Benchmark, BenchResult } from "./benchmark.js";

const run = promisify(execFile);

/** Debian's Python, which has torch on machines set up for fixtures; the bench never needs it. */
const DEBIAN_PYTHON = "/usr/bin/python3";

/** InstantID's ip-adapter.bin shape: the Resampler (dim 1280, depth 4, ff 5120, 512 → 2048) and 70 K/V projections [width, 2048]. */
function ipAdapterShapes(): Map<string, number[]> {
  const [dim, ff, output] = [1280, 5120, 2048];
  const shapes = new Map<string, number[]>([
    ["image_proj.latents", [1, 16, dim]],
    ["image_proj.proj_in.weight", [dim, 512]],
    ["image_proj.proj_in.bias", [dim]],
    ["image_proj.proj_out.weight", [output, dim]],
    ["image_proj.proj_out.bias", [output]],
    ["image_proj.norm_out.weight", [output]],
    ["image_proj.norm_out.bias", [output]],
  ]);
  for (let i = 0; i < 4; i++) {
    const p = `image_proj.layers.${i}`;
    for (const n of ["0.norm1", "0.norm2", "1.0"]) {
      shapes.set(`${p}.${n}.weight`, [dim]);
      shapes.set(`${p}.${n}.bias`, [dim]);
    }
    shapes.set(`${p}.0.to_q.weight`, [dim, dim]);
    shapes.set(`${p}.0.to_kv.weight`, [2 * dim, dim]);
    shapes.set(`${p}.0.to_out.weight`, [dim, dim]);
    shapes.set(`${p}.1.1.weight`, [ff, dim]);
    shapes.set(`${p}.1.3.weight`, [dim, ff]);
  }
  for (const site of crossAttentionSites(SDXL_UNET)) {
    shapes.set(`ip_adapter.${site.key}.to_k_ip.weight`, [site.width, output]);
    shapes.set(`ip_adapter.${site.key}.to_v_ip.weight`, [site.width, output]);
  }
  return shapes;
}

/** The state dict with non-zero values (each tensor its own storage, as torch.save writes them). */
function stateDict(): Record<string, Record<string, Tensor>> {
  const dict: Record<string, Record<string, Tensor>> = { image_proj: {}, ip_adapter: {} };
  let seed = 1;
  for (const [name, shape] of ipAdapterShapes()) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i += 97) data[i] = ((seed = (seed * 48271) % 2147483647) / 2147483647 - 0.5) * 0.05;
    const [group, ...rest] = name.split(".");
    dict[group][rest.join(".")] = { shape, data };
  }
  return dict;
}

interface Load {
  readonly ms: number;
  readonly rssMb: number;
}

/** Loads `path` with the SDK in a fresh process: wall time of loadImageAdapter and the process's peak RSS. */
async function sdkLoad(path: string): Promise<Load> {
  const index = fileURLToPath(new URL("./index.js", import.meta.url));
  const script =
    `const m = await import(${JSON.stringify(index)}); const t = performance.now(); const w = await ` +
    `m.loadImageAdapter(${JSON.stringify(path)}); const ms = performance.now() - t; console.log(JSON.stringify({ ms, rssMb: ` +
    `process.resourceUsage().maxRSS / 1024, layers: w.ipLayers.size }));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Load;
}

/** `torch.load(path, weights_only=True)` in Debian's Python, timed the same way, or undefined without torch. */
async function torchLoad(path: string): Promise<Load | undefined> {
  const script = [
    "import json, resource, sys, time, torch",
    "t = time.perf_counter()",
    "sd = torch.load(sys.argv[1], weights_only=True)",
    "ms = (time.perf_counter() - t) * 1000",
    "print(json.dumps({'ms': ms, 'rssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))",
  ].join("\n");
  try {
    const { stdout } = await run(DEBIAN_PYTHON, ["-c", script, path], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout) as Load;
  } catch {
    return undefined;
  }
}

async function torchPresent(): Promise<boolean> {
  if (!existsSync(DEBIAN_PYTHON)) return false;
  return run(DEBIAN_PYTHON, ["-c", "import torch"]).then(
    () => true,
    () => false,
  );
}

const best = (loads: Load[]): Load => ({ ms: Math.min(...loads.map((l) => l.ms)), rssMb: Math.min(...loads.map((l) => l.rssMb)) });

/**
 * Checkpoint load at the 1.69 GB ip-adapter.bin shape: time against `torch.load(weights_only=True)`
 * measured in this run (interleaved, best of 3), peak RSS against 1.2× the file. Without Debian's
 * Python and torch the time row has no anchor: it is printed, never judged.
 */
export const checkpointBenchmark: Benchmark = {
  name: "checkpoint",
  available: () => true,
  async run() {
    const dir = await mkdtemp(join(tmpdir(), "instantid-bench-checkpoint-"));
    try {
      const path = join(dir, "ip-adapter.bin");
      await writeTorchSave(path, stateDict());
      const fileMb = (await stat(path)).size / 2 ** 20;
      const anchor = await torchPresent();
      if (!anchor)
        process.stderr.write(
          `checkpoint: no PyTorch anchor (${DEBIAN_PYTHON} with torch is absent); the load time is printed, not judged\n`,
        );
      const sdk: Load[] = [];
      const torch: Load[] = [];
      for (let round = 0; round < 3; round++) {
        sdk.push(await sdkLoad(path));
        const t = anchor ? await torchLoad(path) : undefined;
        if (t) torch.push(t);
      }
      const ours = best(sdk);
      const results: BenchResult[] = [];
      if (torch.length) {
        const theirs = best(torch);
        results.push({
          name: `checkpoint: load ${fileMb.toFixed(0)} MiB ip-adapter.bin (time)`,
          value: ours.ms,
          unit: "ms",
          baselineName: "torch.load(weights_only=True), same run",
          baseline: theirs.ms,
          goal: "ratio <= 1.0",
          met: ours.ms <= theirs.ms,
        });
      } else {
        results.push({
          name: `checkpoint: load ${fileMb.toFixed(0)} MiB ip-adapter.bin (time; no torch anchor)`,
          value: ours.ms,
          unit: "ms",
          baselineName: "(none measured)",
          baseline: ours.ms,
          goal: "<= torch.load: not judged without torch",
        });
      }
      results.push({
        name: `checkpoint: load ${fileMb.toFixed(0)} MiB ip-adapter.bin (peak RSS)`,
        value: ours.rssMb,
        unit: "MiB",
        baselineName: "file size",
        baseline: fileMb,
        goal: "ratio <= 1.2",
        met: ours.rssMb <= 1.2 * fileMb,
      });
      return results;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
