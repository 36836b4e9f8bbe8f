import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { composeHooks } from "../../core/hooks/compose.js";
import type { StepContext } from "../../core/hooks/types.js";
import { loadControlNet } from "../../core/controlnet/controlnet-model.js";
import { createIdentityNetHook } from "../../core/instantid/identitynet-hook.js";
import { multiplyPlaneInPlace, scaleInPlace } from "../../core/controlnet/residual-arithmetic.js";
import { unetStepFeeds } from "../../core/unet/unet-feeds.js";
import { loadUnet } from "../../core/unet/unet-model.js";
import { SafetensorsFile } from "../../core/tensor/safetensors.js";
import type { Tensor } from "../../core/tensor/tensor.js";
import { type Benchmark, type BenchResult, medianMs } from "./benchmark.js";

// The bench runs from the built bundle, so ../shared is found from the working directory.
const caseDir = join(process.env.INSTANTID_SHARED ?? resolve(process.cwd(), "..", "shared"), "golden", "unet");

async function readCases(): Promise<Map<string, Tensor>> {
  const file = await SafetensorsFile.open(join(caseDir, "cases.safetensors"));
  const cases = new Map<string, Tensor>();
  for (const name of file.names()) cases.set(name, await file.tensor(name));
  await file.close();
  return cases;
}

function positiveRow(t: Tensor): Tensor {
  const size = t.data.length / t.shape[0];
  return { shape: [1, ...t.shape.slice(1)], data: t.data.subarray(size, 2 * size) };
}

async function trafficRows(): Promise<BenchResult[]> {
  const c = await readCases();
  const model = await loadControlNet(join(caseDir, "identitynet.onnx"));
  const unet = await loadUnet(join(caseDir, "unet.onnx"));
  const step: StepContext = {
    index: 0,
    total: 1,
    sample: c.get("sample")!,
    timestep: c.get("timestep")!,
    promptEmbeds: positiveRow(c.get("prompt_embeds")!),
    textEmbeds: positiveRow(c.get("text_embeds")!),
    timeIds: positiveRow(c.get("time_ids")!),
  };
  const face = {
    faceTokens: c.get("face_tokens")!,
    uncondFaceTokens: c.get("uncond_face_tokens")!,
    keypointImage: c.get("kps_image")!,
    scale: 0.8,
  };
  const faceB = {
    faceTokens: c.get("face_tokens_b")!,
    uncondFaceTokens: c.get("uncond_face_tokens")!,
    keypointImage: c.get("kps_image_b")!,
    scale: 0.7,
    mask: c.get("mask_b")!,
  };
  const rows: BenchResult[] = [];
  for (const [label, identities] of [
    ["1 face", [face]],
    ["2 masked faces", [{ ...face, mask: c.get("mask_a")! }, faceB]],
  ] as const) {
    const hook = createIdentityNetHook({ model, identities: [...identities] });
    const hooks = composeHooks(hook);
    await hooks.prepare({ rows: ["cond"], width: 128, height: 128, steps: 1 });
    const contribution = await hooks.beforeStep(step);
    const feeds = unetStepFeeds(step, contribution, unet.residualInputs);
    // Residual tensors fed to the UNet must be the very buffers IdentityNet returned (no copy on the way).
    const passedThrough = [...contribution.residuals!.down, contribution.residuals!.mid].every(
      (t, i) => feeds[[...unet.residualInputs!.names.down, unet.residualInputs!.names.mid][i]].data === t.data,
    );
    const baseline = hook.lastStep.residualBytes * identities.length;
    rows.push({
      name: `IdentityNet residual bytes through JS per step, ${label}`,
      value: hook.lastStep.bytesMoved,
      unit: "B",
      baselineName: `residual bytes × faces`,
      baseline,
      goal: "ratio ≤ 1 (one pass per face), buffers passed to the UNet uncopied",
      met: hook.lastStep.bytesMoved <= baseline && passedThrough,
    });
  }
  return rows;
}

// SDXL residuals at 1024 px (latent 128), batch [uncond, cond]: 9 down + mid.
function sdxlResiduals(): Tensor[] {
  const shapes = [
    [320, 128],
    [320, 128],
    [320, 128],
    [320, 64],
    [640, 64],
    [640, 64],
    [640, 32],
    [1280, 32],
    [1280, 32],
    [1280, 32],
  ];
  return shapes.map(([ch, hw]) => ({ shape: [2, ch, hw, hw], data: new Float32Array(2 * ch * hw * hw).fill(0.5) }));
}

async function scaleRows(): Promise<BenchResult[]> {
  const residuals = sdxlResiduals();
  const copies = residuals.map((t) => new Float32Array(t.data.length));
  const ones = (n: number) => new Float32Array(n).fill(1);
  const planes = residuals.map((t) => ones(t.shape[2] * t.shape[3]));
  // Interleaved rounds, ratio = median of per-round ratios: a shared machine's load drifts between sequential blocks.
  const cases = [
    () => residuals.forEach((t, i) => copies[i].set(t.data)),
    () => residuals.forEach((t) => scaleInPlace(t, 1)),
    () => residuals.forEach((t, i) => multiplyPlaneInPlace(t, planes[i])),
  ];
  for (const run of cases) for (let w = 0; w < 2; w++) run();
  const times: number[][] = cases.map(() => []);
  for (let r = 0; r < 15; r++) for (const [i, run] of cases.entries()) times[i].push(await medianMs(run, 1, 0));
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const copyMs = median(times[0]);
  const row = (name: string, measured: number[]): BenchResult => {
    const ratio = median(measured.map((ms, r) => ms / times[0][r]));
    return {
      name: `${name}; ratio = median of interleaved rounds`,
      value: median(measured),
      unit: "ms",
      baselineName: "one copy of the residuals (TypedArray.set)",
      baseline: copyMs,
      ratio,
      goal: "ratio ≤ 3 (a single in-place pass)",
      met: ratio <= 3,
    };
  };
  return [row("SDXL 1024px residuals × scale, in place", times[1]), row("SDXL 1024px residuals × scale × mask, in place", times[2])];
}

/** Residual traffic of the IdentityNet hook per step, and the cost of its one in-place pass at SDXL size. */
export const identityNetBenchmark: Benchmark = {
  name: "identitynet residuals",
  available: () => existsSync(join(caseDir, "identitynet.onnx")),
  skipReason: `reference graphs ${caseDir} are absent (set INSTANTID_SHARED)`,
  async run() {
    return [...(await trafficRows()), ...(await scaleRows())];
  },
};
