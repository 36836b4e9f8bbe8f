import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import type { Tensor } from "../../../../core/tensor/tensor.js";
import { generate } from "../../../../adapters/onnx-sdxl/generate.js";
import type { GenerateOptions } from "../../../../adapters/onnx-sdxl/options.js";
import { generateInWorker, locateWorkerScript } from "../../../../adapters/onnx-sdxl/worker/generate-in-worker.js";
import { describeShared, sharedPath, tempDir } from "../../../helpers/shared.js";
import { loadImageAdapter } from "../../../../core/image-adapter/checkpoint.js";
import { patchImageAdapter } from "../../../../core/patch/patch-image-adapter.js";
import { createInstantIdHook } from "../../../../adapters/onnx-sdxl/instantid-hook.js";
import { goldenUnetCases, goldenUnetPath, row } from "../golden-unet.js";
import { buildWorkerBundle } from "./build-worker.js";
import { createGate, GATE } from "./probe-hook.js";
import { Resampler } from "../../../../core/image-adapter/resampler.js";
import { createComposition } from "../../../../core/compose/compose.js";
import { compositionPatchOptions, compositionTokens } from "../../../../core/compose/local-hooks.js";
import { createIdentity } from "../../../../core/identity/identity.js";
import { buildHook } from "../../../../adapters/onnx-sdxl/worker/hook-modules.js";

describeShared("generateInWorker", "golden/unet", () => {
  let cases: Map<string, Tensor>;
  let workerScript: string;
  let hookModule: string;
  beforeAll(async () => {
    cases = await goldenUnetCases();
    const bundle = await buildWorkerBundle({ "probe-hook": join(import.meta.dirname, "probe-hook.ts") });
    workerScript = bundle.workerScript;
    hookModule = join(bundle.dir, "probe-hook.js");
  });
  const options = (steps: number): GenerateOptions => ({
    models: { unet: goldenUnetPath() },
    prompt: { embeds: row(cases.get("prompt_embeds")!, 1), pooled: row(cases.get("text_embeds")!, 1) },
    width: 128,
    height: 128,
    steps,
    seed: 3,
  });
  const blockingHook = (gate: Int32Array, blockAt = 1) => [{ module: hookModule, export: "createProbeHook", options: { gate, blockAt } }];
  /** Resolves once the worker says it is blocked; each check is a turn of this thread's event loop. */
  const whenBlocked = async (gate: Int32Array): Promise<number> => {
    let turns = 0;
    while (Atomics.load(gate, GATE.blocked) === 0) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    return turns;
  };

  it("gives the same latent as the in-process runner and reports every step", async () => {
    const steps: number[] = [];
    const inWorker = await generateInWorker(options(3), { workerScript, onProgress: (e) => steps.push(e.completed) });
    const inProcess = await generate(options(3));
    expect(inWorker.latent.data).toEqual(inProcess.latent.data);
    expect(steps).toEqual([1, 2, 3]);
  });

  it("carries region prompts (tensors and a RegionMask) to the worker: the same latent as in-process, unlike without them", async () => {
    const mask = { width: 128, height: 128, data: Float32Array.from({ length: 128 * 128 }, (_, p) => (p % 128 < 64 ? 1 : 0)) };
    const regional = { ...options(2), regions: [{ embeds: row(cases.get("prompt_embeds")!, 0), mask }] };
    const inWorker = await generateInWorker(regional, { workerScript });
    expect(inWorker.latent.data).toEqual((await generate(regional)).latent.data);
    expect(inWorker.latent.data).not.toEqual((await generate(options(2))).latent.data);
  });

  it("keeps the caller's event loop responsive while a step blocks the worker", async () => {
    const gate = createGate();
    const run = generateInWorker(options(3), { workerScript, hooks: blockingHook(gate) });
    // The worker holds its first step until this thread's loop turns and releases it: a blocked loop would never get here.
    await whenBlocked(gate);
    Atomics.store(gate, GATE.release, 1);
    Atomics.notify(gate, GATE.release);
    expect((await run).latent.data).toEqual((await generate(options(3))).latent.data);
  });

  it("rejects with ABORTED as soon as the signal fires, while the worker is still busy in a step", async () => {
    const controller = new AbortController();
    const gate = createGate();
    const run = generateInWorker(options(50), { workerScript, hooks: blockingHook(gate, 2), signal: controller.signal });
    // The worker is held in step 2 and never released: only terminating it can end the run.
    await whenBlocked(gate);
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: "ABORTED" });
  });

  it("passes the worker's InstantIdError back with its code and message", async () => {
    const bad = { ...options(2), models: { unet: "/nonexistent/unet.onnx" } };
    await expect(generateInWorker(bad, { workerScript })).rejects.toMatchObject({
      code: "MODEL_NOT_FOUND",
      message: expect.stringMatching(/\/nonexistent\/unet.onnx/),
    });
  });

  it("builds the built-in InstantID hook inside the worker and matches the in-process run", async () => {
    const adapter = await loadImageAdapter(sharedPath("golden/unet/ip-adapter.bin"));
    const patched = await patchImageAdapter(goldenUnetPath(), adapter, { outDir: await tempDir() });
    const instantId = {
      identityNet: sharedPath("golden/unet/identitynet.onnx"),
      faces: [
        {
          faceTokens: cases.get("face_tokens")!,
          uncondFaceTokens: cases.get("uncond_face_tokens")!,
          keypointImage: cases.get("kps_image")!,
        },
      ],
    };
    const withModel = { ...options(2), models: { unet: patched.modelPath! } };
    const inWorker = await generateInWorker(withModel, { workerScript, hooks: [{ module: "builtin:instantid", options: instantId }] });
    const inProcess = await generate(withModel, { hooks: [await createInstantIdHook(instantId)] });
    const plain = await generate(withModel, { hooks: [] }).catch((error: Error) => error);
    expect(inWorker.latent.data).toEqual(inProcess.latent.data);
    // The patched UNet needs the image-attention inputs: without the hook the run is refused.
    expect(plain).toBeInstanceOf(Error);
  });

  it("builds a two-identity composition's hooks inside the worker (builtin:composition) and matches the in-process run", async () => {
    const adapter = await loadImageAdapter(sharedPath("golden/unet/ip-adapter.bin"));
    const composition = createComposition({
      width: 128,
      height: 128,
      prompt: "",
      identities: [
        {
          identity: createIdentity([{ embedding: cases.get("face_embedding")!.data }]),
          keypoints: { image: cases.get("kps_image")! },
          region: { rect: [0, 0, 64, 128] },
        },
        {
          identity: createIdentity([{ embedding: cases.get("face_embedding_b")!.data }]),
          keypoints: { image: cases.get("kps_image_b")! },
          region: { rect: [64, 0, 128, 128] },
          end: 0.5,
        },
      ],
    });
    const patched = await patchImageAdapter(goldenUnetPath(), adapter, {
      ...compositionPatchOptions(composition),
      outDir: await tempDir(),
    });
    const tokens = await compositionTokens(composition, Resampler.fromWeights(adapter.imageProj, { heads: 3 }));
    const hookOptions = {
      composition,
      identityNet: sharedPath("golden/unet/identitynet.onnx"),
      tokens,
      imageAdapterInputs: patched.inputs,
    };
    const withModel = { ...options(2), models: { unet: patched.modelPath! } };
    const inWorker = await generateInWorker(withModel, { workerScript, hooks: [{ module: "builtin:composition", options: hookOptions }] });
    const inProcess = await generate(withModel, { hooks: [await buildHook({ module: "builtin:composition", options: hookOptions })] });
    expect(inWorker.latent.data).toEqual(inProcess.latent.data);
  });

  it("names the built-ins when asked for an unknown one", async () => {
    await expect(generateInWorker(options(1), { workerScript, hooks: [{ module: "builtin:nope" }] })).rejects.toThrow(
      /builtin:instantid, builtin:composition/,
    );
  });

  it("explains how to get the worker script when running from sources without one", () => {
    expect(() => locateWorkerScript()).toThrow(/npm run build writes dist\/runner-worker.js/);
  });
});
