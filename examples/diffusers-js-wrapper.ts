// A diffusers.js-style runner gains InstantID without being changed: its UNet session is wrapped once
// with wrapUnetSession, and the wrapper feeds the hooks' inputs and residuals on every run(feeds).
// Here the "runner" is a toy Euler loop over the tiny reference graphs in ../shared/golden/unet.
// Build and run from the project root:
//   npx tsup examples/diffusers-js-wrapper.ts --format esm --out-dir .cache/examples --no-config --silent \
//     && node .cache/examples/diffusers-js-wrapper.js ../shared/golden/unet
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as ort from "onnxruntime-node";
import { wrapUnetSession } from "../adapters/diffusers-js/index.js";
import {
  computeImageTokens,
  createIdentityNetHook,
  createImageAdapterHook,
  loadControlNet,
  loadImageAdapter,
  patchImageAdapter,
  Resampler,
  SafetensorsFile,
  type GenerationHook,
  type Tensor,
} from "../core/index.js";

/** The runner's inputs: initial noise [1, 4, h, w] and the prompt rows [negative, positive]. */
interface RunnerInputs {
  readonly noise: Tensor;
  readonly promptEmbeds: Tensor;
  readonly textEmbeds: Tensor;
  readonly timeIds: Tensor;
}

/** What the session must offer the runner: ONNX Runtime's run(feeds) and output names. */
interface UnetSession {
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.OnnxValue>>;
  readonly outputNames: readonly string[];
}

const ortTensor = (t: Tensor) => new ort.Tensor("float32", t.data, [...t.shape]);

/**
 * The runner you already have: classifier-free guidance over [uncond, cond] rows in one UNet call, Euler
 * steps on a linear sigma ramp. It knows nothing about InstantID.
 */
async function toyRunner(unet: UnetSession, inputs: RunnerInputs, steps: number, guidance: number): Promise<Tensor> {
  const sigmas = Array.from({ length: steps + 1 }, (_, i) => 1 - i / steps);
  let latent = inputs.noise.data;
  for (let i = 0; i < steps; i++) {
    const batch = new Float32Array(2 * latent.length);
    batch.set(latent);
    batch.set(latent, latent.length);
    const out = await unet.run({
      sample: new ort.Tensor("float32", batch, [2, ...inputs.noise.shape.slice(1)]),
      timestep: new ort.Tensor("float32", new Float32Array([999 * sigmas[i]]), [1]),
      encoder_hidden_states: ortTensor(inputs.promptEmbeds),
      text_embeds: ortTensor(inputs.textEmbeds),
      time_ids: ortTensor(inputs.timeIds),
    });
    const eps = (out[unet.outputNames[0]] as ort.Tensor).data as Float32Array;
    const dt = sigmas[i + 1] - sigmas[i];
    latent = latent.map((x, k) => x + dt * (eps[k] + guidance * (eps[latent.length + k] - eps[k])));
  }
  return { shape: inputs.noise.shape, data: latent };
}

/** The latents the toy runner produced with and without InstantID, and the steps the hooks were asked at. */
export interface DiffusersJsExampleResult {
  readonly withInstantId: Tensor;
  readonly without: Tensor;
  /** Step index of each UNet call, as the wrapper told the hooks (detected from the timesteps). */
  readonly stepsSeen: number[];
}

/** Runs the same toy runner twice on the golden graphs in `dir`: plain, and with the UNet session wrapped with InstantID's hooks. */
export async function diffusersJsExample(dir: string, steps = 4, guidance = 5): Promise<DiffusersJsExampleResult> {
  const cases = await SafetensorsFile.open(join(dir, "cases.safetensors"));
  const get = (name: string) => cases.tensor(name);
  const inputs: RunnerInputs = {
    noise: await get("sample"),
    promptEmbeds: await get("prompt_embeds"),
    textEmbeds: await get("text_embeds"),
    timeIds: await get("time_ids"),
  };
  const adapter = await loadImageAdapter(join(dir, "ip-adapter.bin"));
  // heads: 3 is the tiny model's head split.
  const tokens = await computeImageTokens(Resampler.fromWeights(adapter.imageProj, { heads: 3 }), (await get("face_embedding")).data);
  const keypointImage = await get("kps_image");
  await cases.close();

  const scratch = await mkdtemp(join(tmpdir(), "instantid-example-"));
  try {
    const patched = await patchImageAdapter(join(dir, "unet.onnx"), adapter, { outDir: scratch });
    const face = { faceTokens: tokens.cond, uncondFaceTokens: tokens.uncond };
    const stepsSeen: number[] = [];
    const probe: GenerationHook = { name: "probe", beforeStep: (step) => void stepsSeen.push(step.index) }; // your own hooks compose too
    const hooks = [
      createIdentityNetHook({
        model: await loadControlNet(join(dir, "identitynet.onnx")),
        identities: [{ ...face, keypointImage, identityNetScale: 0.8 }],
      }),
      createImageAdapterHook({ identities: [{ ...face, adapterScale: 0.8 }], inputNames: patched.inputs }),
      probe,
    ];
    // The one line a runner changes: wrap the session it already creates.
    const withHooks = wrapUnetSession(await ort.InferenceSession.create(patched.modelPath!), { hooks, steps });
    // Without InstantID, the plain UNet; the wrapper without hooks feeds it zero residuals.
    const plain = wrapUnetSession(await ort.InferenceSession.create(join(dir, "unet.onnx")), { hooks: [], steps });
    return {
      withInstantId: await toyRunner(withHooks, inputs, steps, guidance),
      without: await toyRunner(plain, inputs, steps, guidance),
      stepsSeen,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { withInstantId, without, stepsSeen } = await diffusersJsExample(process.argv[2] ?? "../shared/golden/unet");
  const change = withInstantId.data.reduce((s, v, k) => s + Math.abs(v - without.data[k]), 0) / without.data.length;
  console.log(
    `latent [${withInstantId.shape.join(", ")}]; mean |with − without| ${change.toFixed(5)}; hooks asked at steps ${stepsSeen.join(", ")}`,
  );
}
