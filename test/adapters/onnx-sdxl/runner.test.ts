import { beforeAll, expect, it } from "vitest";
import type { Tensor } from "../../../core/tensor/tensor.js";
import { generate } from "../../../adapters/onnx-sdxl/generate.js";
import { createRunner, type RunnerRequest } from "../../../adapters/onnx-sdxl/runner.js";
import { loadImageAdapter } from "../../../core/image-adapter/checkpoint.js";
import { patchImageAdapter } from "../../../core/patch/patch-image-adapter.js";
import { createInstantIdHook } from "../../../adapters/onnx-sdxl/instantid-hook.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";
import { goldenUnetCases, goldenUnetPath, row } from "./golden-unet.js";
import { buildWorkerBundle } from "./worker/build-worker.js";

describeShared("createRunner (long-lived runner)", "golden/unet", () => {
  let cases: Map<string, Tensor>;
  let workerScript: string;
  let patchedUnet: string;
  let instantId: { identityNet: string; faces: { faceTokens: Tensor; uncondFaceTokens: Tensor; keypointImage: Tensor }[] };
  beforeAll(async () => {
    cases = await goldenUnetCases();
    workerScript = (await buildWorkerBundle()).workerScript;
    const patched = await patchImageAdapter(goldenUnetPath(), await loadImageAdapter(sharedPath("golden/unet/ip-adapter.bin")), {
      outDir: await tempDir(),
    });
    patchedUnet = patched.modelPath!;
    instantId = {
      identityNet: sharedPath("golden/unet/identitynet.onnx"),
      faces: [
        {
          faceTokens: cases.get("face_tokens")!,
          uncondFaceTokens: cases.get("uncond_face_tokens")!,
          keypointImage: cases.get("kps_image")!,
        },
      ],
    };
  });
  const request = (seed: number, steps = 2): RunnerRequest => ({
    prompt: { embeds: row(cases.get("prompt_embeds")!, 1), pooled: row(cases.get("text_embeds")!, 1) },
    width: 128,
    height: 128,
    steps,
    seed,
  });

  it("opens each model once: the second generation opens no session, and gives generate()'s latent", async () => {
    const runner = createRunner({ models: { unet: goldenUnetPath() }, worker: false });
    try {
      const first = await runner.generate(request(3));
      const second = await runner.generate(request(4));
      expect(first.timings.sessionMs).toBeGreaterThan(0);
      expect(second.timings.sessionMs).toBe(0);
      expect((await runner.sessions()).map((s) => s.what)).toEqual(["UNet"]);
      expect(second.latent.data).toEqual((await generate({ ...request(4), models: { unet: goldenUnetPath() } })).latent.data);
    } finally {
      await runner.close();
    }
  });

  it("keeps IdentityNet open across InstantID generations built from builtin:instantid, in its worker", async () => {
    const runner = createRunner({ models: { unet: patchedUnet }, workerScript });
    try {
      const hooks = [{ module: "builtin:instantid", options: instantId }];
      const a = await runner.generate(request(5), { hooks });
      const b = await runner.generate(request(5), { hooks });
      const opened = await runner.sessions();
      expect(opened.map((s) => s.what).sort()).toEqual(["IdentityNet", "UNet"]);
      expect(b.timings.sessionMs).toBe(0);
      expect(b.latent.data).toEqual(a.latent.data);
      const inProcess = await generate({ ...request(5), models: { unet: patchedUnet } }, { hooks: [await createInstantIdHook(instantId)] });
      expect(a.latent.data).toEqual(inProcess.latent.data);
    } finally {
      await runner.close();
    }
  });

  it("runs generations one at a time in call order, even when they are started together", async () => {
    const runner = createRunner({ models: { unet: goldenUnetPath() }, workerScript });
    const order: number[] = [];
    try {
      await Promise.all([1, 2, 3].map((seed) => runner.generate(request(seed, 1), { onProgress: () => order.push(seed) })));
      expect(order).toEqual([1, 2, 3]);
    } finally {
      await runner.close();
    }
  });

  it("cancels one generation with its signal and stays usable for the next", async () => {
    const runner = createRunner({ models: { unet: goldenUnetPath() }, workerScript });
    try {
      const controller = new AbortController();
      const cancelled = runner.generate(request(6, 40), {
        signal: controller.signal,
        onProgress: (e) => void (e.completed === 1 && controller.abort()),
      });
      await expect(cancelled).rejects.toMatchObject({ code: "ABORTED" });
      const next = await runner.generate(request(6, 1));
      expect(next.latent.data.every(Number.isFinite)).toBe(true);
      expect(next.timings.sessionMs).toBe(0);
    } finally {
      await runner.close();
    }
  });

  it("refuses generations after close() with INVALID_OPTION, and a request without a UNet", async () => {
    const runner = createRunner({ worker: false });
    await expect(runner.generate(request(1))).rejects.toThrow(/no UNet/);
    await runner.close();
    await expect(runner.generate({ ...request(1), models: { unet: goldenUnetPath() } })).rejects.toMatchObject({ code: "INVALID_OPTION" });
  });

  it("resizes a keypoint image of another size to the output size, with warnings, instead of refusing it", async () => {
    const runner = createRunner({ models: { unet: patchedUnet }, worker: false });
    const image = (width: number, height: number) => ({
      width,
      height,
      data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 7) % 256),
    });
    const withKps = (keypointImage: ReturnType<typeof image>) => ({
      ...request(7, 1),
      instantId: { ...instantId, faces: [{ ...instantId.faces[0], keypointImage }] },
    });
    try {
      const near = await runner.generate(withKps(image(130, 129)));
      expect([near.width, near.height]).toEqual([128, 128]);
      expect(near.warnings.map((w) => w.code)).toEqual(["CONTROL_IMAGE_RESIZED"]);
      const stretched = await runner.generate(withKps(image(160, 120)));
      expect(stretched.warnings.map((w) => w.code)).toEqual(["CONTROL_IMAGE_RESIZED", "CONTROL_ASPECT_CHANGED"]);
      expect(stretched.warnings[1].message).toMatch(/kps --size 128x128/);
      const exact = await runner.generate({ ...request(7, 1), instantId });
      expect(exact.warnings).toEqual([]);
    } finally {
      await runner.close();
    }
  });
});
