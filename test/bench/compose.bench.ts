import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Resampler } from "../../core/image-adapter/resampler.js";
import type { ImageAdapterWeights } from "../../core/image-adapter/weights.js";
import { loadImageAdapter } from "../../core/image-adapter/checkpoint.js";
import { createComposition } from "../../core/compose/compose.js";
import { compositionPatchOptions, toLocalHooks } from "../../core/compose/local-hooks.js";
import { createIdentity } from "../../core/identity/identity.js";
import { type ControlNetModel, loadControlNet } from "../../core/controlnet/controlnet-model.js";
import { runControlNet } from "../../core/controlnet/run.js";
import { loadUnet, runUnet } from "../../core/unet/unet-model.js";
import { patchImageAdapter } from "../../core/patch/patch-image-adapter.js";
import { guidedGoldenStep, readUnetGoldenCases } from "../../core/conformance/unet-golden-cases.js";
import type { Tensor } from "../../core/tensor/tensor.js";
import type { GenerationHook } from "../../core/hooks/types.js";
import { faceRegionMask } from "../../core/masks/face-mask.js";
import { buildRegionConditioning } from "../../adapters/onnx-sdxl/regions.js";
import { callUnetWithRegions } from "../../adapters/onnx-sdxl/unet-step.js";
import { type Benchmark, type BenchResult, medianMs } from "./benchmark.js";

// The bench runs from the built bundle, so ../shared is found from the working directory.
const caseDir = join(process.env.INSTANTID_SHARED ?? resolve(process.cwd(), "..", "shared"), "golden", "unet");
const SIZE = 128;

// N identities in N vertical strips, alternating the golden's two faces and keypoint images. The strips
// leave the bottom rows free so every N, 1 included, runs with masks: the same patched graph per identity.
function stripComposition(c: Map<string, Tensor>, n: number) {
  const width = SIZE / n;
  const bottom = SIZE - 16;
  return createComposition({
    width: SIZE,
    height: SIZE,
    prompt: "",
    identities: Array.from({ length: n }, (_, i) => ({
      identity: createIdentity([{ embedding: c.get(i % 2 ? "face_embedding_b" : "face_embedding")!.data }]),
      keypoints: { image: c.get(i % 2 ? "kps_image_b" : "kps_image")! },
      region: { rect: [i * width, 0, (i + 1) * width, bottom] as const },
    })),
  });
}

/** A guided step with N identities, prepared: the whole step, the hooks alone, the patched UNet alone. */
async function preparedStep(
  c: Map<string, Tensor>,
  n: number,
  models: { identityNet: ControlNetModel; resampler: Resampler; adapter: ImageAdapterWeights },
  patchDir: string,
) {
  const composition = stripComposition(c, n);
  const patched = await patchImageAdapter(join(caseDir, "unet.onnx"), models.adapter, {
    ...compositionPatchOptions(composition),
    outDir: patchDir,
  });
  const unet = await loadUnet(patched.modelPath!);
  const { hooks } = await toLocalHooks(composition, { ...models, unet: unet.residualInputs, imageAdapterInputs: patched.inputs });
  const step = guidedGoldenStep(c);
  await hooks.prepare({ rows: ["uncond", "cond"], width: SIZE, height: SIZE, steps: 1 });
  const contribution = await hooks.beforeStep(step);
  return {
    unetModel: unet,
    hookRegistry: hooks,
    step,
    whole: async () => runUnet(unet, step, await hooks.beforeStep(step)),
    hooks: () => hooks.beforeStep(step),
    unet: () => runUnet(unet, step, contribution),
  };
}

/**
 * The step with `r` region prompts (the left and right halves, tokens of the golden prompt scaled), through
 * the runner's own regional call; counts how often the hooks are asked.
 */
function regionalStep(prepared: Awaited<ReturnType<typeof preparedStep>>, r: number) {
  const { unetModel, hookRegistry, step } = prepared;
  const rows = step.promptEmbeds.shape[0];
  const cond = step.promptEmbeds.data.slice(step.promptEmbeds.data.length / rows);
  const prompts = Array.from({ length: r }, (_, i) => ({
    embeds: { shape: [1, ...step.promptEmbeds.shape.slice(1)], data: cond.map((v) => v * (1.1 + 0.1 * i)) },
    mask: faceRegionMask([i * (SIZE / 2), 0, (i + 1) * (SIZE / 2), SIZE], { width: SIZE, height: SIZE }),
  }));
  const regions = buildRegionConditioning(
    prompts,
    { rows: ["uncond", "cond"], promptEmbeds: step.promptEmbeds, textEmbeds: step.textEmbeds, timeIds: step.timeIds },
    SIZE / 8,
    SIZE / 8,
  );
  const counted = { calls: 0, asks: 0 };
  const hook: GenerationHook = { name: "counted", beforeStep: (s) => (counted.asks++, hookRegistry.beforeStep(s)) };
  return { counted, run: () => (counted.calls++, callUnetWithRegions(unetModel, hook, step, regions)) };
}

/** Rows for R = 1, 2 region prompts against none, on the N = 2 step: ≈ 1 + R UNet calls, the hooks asked once. */
function regionRows(steps: ReturnType<typeof regionalStep>[], medians: readonly number[], unetMs: number): BenchResult[] {
  const [none, ...withRegions] = medians;
  return withRegions.map((ms, k) => {
    const r = k + 1;
    const expected = (none + r * unetMs) / none;
    const once = steps[r].counted.asks === steps[r].counted.calls;
    return {
      name:
        `guided step, 2 identities, ${r} region prompt${r > 1 ? "s" : ""} (runner's regional call; hooks asked ` +
        `${steps[r].counted.asks}× in ${steps[r].counted.calls} steps)`,
      value: ms,
      unit: "ms",
      baselineName: "same step, no region prompt",
      baseline: none,
      goal: `≈ 1 + ${r} UNet passes (hooks once): ratio ≤ 1.15 × ${expected.toFixed(2)}`,
      met: once && ms / none <= 1.15 * expected,
    };
  });
}

/** One IdentityNet pass on a batch of two, as each identity adds per step. */
function identityNetPass(c: Map<string, Tensor>, identityNet: ControlNetModel) {
  const step = guidedGoldenStep(c);
  const tokens = c.get("face_tokens")!;
  const kps = c.get("kps_image")!;
  const encoderHiddenStates = { shape: [2, ...tokens.shape.slice(1)], data: new Float32Array(2 * tokens.data.length).fill(0.1) };
  const cond = { shape: [2, ...kps.shape.slice(1)], data: new Float32Array(2 * kps.data.length) };
  cond.data.set(kps.data);
  cond.data.set(kps.data, kps.data.length);
  return () =>
    runControlNet(identityNet, {
      sample: step.sample,
      timestep: step.timestep,
      encoderHiddenStates,
      cond,
      textEmbeds: step.textEmbeds,
      timeIds: step.timeIds,
    });
}

// Medians over rounds that run every case once each, so load from other processes hits all cases alike.
async function interleavedMedians(cases: readonly (() => Promise<unknown>)[], rounds: number): Promise<number[]> {
  for (const run of cases) await run();
  const times = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (const [i, run] of cases.entries()) times[i].push(await medianMs(run, 1, 0));
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

/**
 * Step time of a composition with N = 1, 2, 4 identities against N = 1, the cost of each extra identity against one IdentityNet pass, and
 * the N = 2 step with R = 1, 2 region prompts against none.
 */
export const composeBenchmark: Benchmark = {
  name: "compose identities",
  available: () => existsSync(join(caseDir, "identitynet.onnx")),
  skipReason: `reference graphs ${caseDir} are absent (set INSTANTID_SHARED)`,
  async run() {
    const c = await readUnetGoldenCases(caseDir);
    const adapter = await loadImageAdapter(join(caseDir, "ip-adapter.bin"));
    const about = JSON.parse(await readFile(join(caseDir, "cases.json"), "utf8")) as { resampler_config?: { heads?: number } };
    const resampler = Resampler.fromWeights(adapter.imageProj, { heads: about.resampler_config?.heads });
    const identityNet = await loadControlNet(join(caseDir, "identitynet.onnx"));
    const patchDir = await mkdtemp(join(tmpdir(), "instantid-bench-compose-"));
    try {
      const models = { identityNet, resampler, adapter };
      const [one, two, four] = [
        await preparedStep(c, 1, models, patchDir),
        await preparedStep(c, 2, models, patchDir),
        await preparedStep(c, 4, models, patchDir),
      ];
      const cases = [one, two, four].flatMap((p) => [p.whole, p.hooks, p.unet]);
      const regional = [0, 1, 2].map((r) => regionalStep(two, r));
      const medians = await interleavedMedians([...cases, identityNetPass(c, identityNet), ...regional.map((s) => s.run)], 31);
      const identityNetMs = medians[9];
      const [w1, h1, u1] = medians.slice(0, 3);
      const rows: BenchResult[] = [];
      for (const [k, n] of [
        [1, 2],
        [2, 4],
      ] as const) {
        const [w, h, u] = medians.slice(3 * k, 3 * k + 3);
        rows.push({
          name: `guided step, ${n} identities (tiny golden UNet, ${SIZE}px)`,
          value: w,
          unit: "ms",
          baselineName: "same step, 1 identity",
          baseline: w1,
          goal: `ratio ≈ 1 + ${n - 1} × (IdentityNet pass + attention terms) / step`,
        });
        rows.push({
          name: `hooks per extra identity, N = ${n}`,
          value: (h - h1) / (n - 1),
          unit: "ms",
          baselineName: "one IdentityNet pass (batch of 2)",
          baseline: identityNetMs,
          goal: "ratio ≤ 1.25 (one IdentityNet pass each, nothing more)",
          met: (h - h1) / (n - 1) <= 1.25 * identityNetMs,
        });
        rows.push({
          name: `patched UNet per extra identity, N = ${n}`,
          value: (u - u1) / (n - 1),
          unit: "ms",
          baselineName: "the UNet call with 1 identity",
          baseline: u1,
          goal: "ratio ≤ 0.25 (small attention terms)",
          met: (u - u1) / (n - 1) <= 0.25 * u1,
        });
      }
      rows.push(...regionRows(regional, medians.slice(10, 13), medians[5]));
      return rows;
    } finally {
      await rm(patchDir, { recursive: true, force: true });
    }
  },
};
