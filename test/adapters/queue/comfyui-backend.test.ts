import { afterEach, describe, expect, it } from "vitest";
import { comfyuiBackend, isRetryable } from "../../../adapters/queue/index.js";
import { toGenerationJob } from "../../../adapters/queue/job.js";
import { ErrorCode, type InstantIdError } from "../../../core/index.js";
import { startMockComfy, type MockComfy } from "../../mocks/comfyui-server.js";
import { texturedPng } from "../../mocks/image-check.js";
import { twoPeople } from "./jobs.js";

describe("queue comfyui backend (mock ComfyUI with ComfyUI_InstantID)", () => {
  let server: MockComfy | undefined;
  afterEach(async () => server?.close());

  async function jobWithPhotos(seed: number) {
    const request = twoPeople(seed);
    const photos = [await texturedPng(64, 64), await texturedPng(80, 64)];
    return toGenerationJob({ ...request, identities: request.identities.map((person, i) => ({ ...person, photo: photos[i] })) }, () => 0);
  }

  it("uploads each identity's photo, keypoint image and mask, runs the workflow with the job's seed, and reports as the CLI does", async () => {
    server = await startMockComfy({ stepMs: 1 });
    const steps: number[] = [];
    const output = await comfyuiBackend({ url: server.url }).run(await jobWithPhotos(31), { onProgress: (e) => steps.push(e.completed) });
    expect(server.uploads.size).toBe(6);
    expect(Buffer.from(output.images[0]).subarray(1, 4).toString()).toBe("PNG");
    expect(output.report).toMatchObject({ seed: 31, promptId: expect.any(String), workflow: expect.any(Object) });
    const sampler = Object.values(server.prompts[0]).find((node) => node.class_type === "KSampler");
    expect(sampler?.inputs).toMatchObject({ seed: 31, steps: 2, cfg: 4 });
    expect(steps.length).toBeGreaterThan(0);
  });

  it("asks the client for the server's preview frames when the worker wants previews, and not otherwise", async () => {
    server = await startMockComfy({ stepMs: 1 });
    const backend = comfyuiBackend({ url: server.url });
    const job = await jobWithPhotos(32);
    const previews = async (previewEvery?: number) => {
      const events: boolean[] = [];
      await backend.run(job, { onProgress: (e) => events.push(Boolean(e.preview)), previewEvery });
      return events.filter(Boolean).length;
    };
    expect(await previews(1)).toBe(2); // one frame per step of 2
    expect(await previews(0)).toBe(0);
    expect(await previews()).toBe(0);
  });

  it("refuses a job without face photos (the node pack reads faces from photos) as not retryable", async () => {
    server = await startMockComfy();
    const error = await comfyuiBackend({ url: server.url })
      .run(
        toGenerationJob(twoPeople(1), () => 0),
        {},
      )
      .catch((e: unknown) => e as InstantIdError);
    expect(error).toMatchObject({ code: ErrorCode.InvalidInput, message: expect.stringMatching(/identities 1, 2 of the job carry none/) });
    expect(isRetryable(error as InstantIdError)).toBe(false);
    expect(server.counts.promptAttempts).toBe(0);
  });

  it("lets a 5xx from the server through as a retryable fault, for the queue to retry (the client itself does not)", async () => {
    server = await startMockComfy({ promptFailures: ["500"] });
    const error = await comfyuiBackend({ url: server.url })
      .run(await jobWithPhotos(2), {})
      .catch((e: unknown) => e as InstantIdError);
    expect(error).toMatchObject({ code: ErrorCode.Server });
    expect(isRetryable(error as InstantIdError)).toBe(true);
    expect(server.counts.promptAttempts).toBe(1);
  });
});
