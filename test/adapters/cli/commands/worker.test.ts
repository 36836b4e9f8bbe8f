import { describe, expect, it } from "vitest";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { captureIo } from "./capture.js";

async function worker(...args: string[]) {
  const capture = captureIo();
  const code = await runCli(commands, ["worker", ...args], capture.io);
  return { code, ...capture };
}

// The worker's life on a real Redis (jobs, a killed worker process, shutdown) is pinned in test/adapters/queue/queue.test.ts.
describe("instantid worker (options checked before any connection)", () => {
  it("is listed in the CLI help and documents its options", async () => {
    const root = captureIo();
    await runCli(commands, ["--help"], root.io);
    expect(root.out()).toMatch(/worker/);
    const help = await worker("--help");
    expect(help.code).toBe(0);
    for (const option of ["--redis", "--backend", "--url", "--concurrency", "--results", "--lock-duration", "--preview-every"])
      expect(help.out()).toContain(option);
  });

  it("names what is missing or wrong", async () => {
    expect((await worker("--backend", "a1111")).err()).toMatch(/--redis/);
    expect((await worker("--redis", "http://127.0.0.1:6379", "--backend", "a1111")).err()).toMatch(/a redis:\/\/ or rediss:\/\/ URL/);
    const bad = await worker("--redis", "redis://127.0.0.1:1", "--backend", "gpu");
    expect(bad.code).toBe(2);
    expect(bad.err()).toMatch(/local, a1111, comfyui for --backend but received "gpu"/);
    expect((await worker("--redis", "redis://127.0.0.1:1", "--backend", "a1111")).err()).toMatch(/--url/);
    expect((await worker("--redis", "redis://127.0.0.1:1", "--backend", "local")).err()).toMatch(/--unet/);
    expect(
      (await worker("--redis", "redis://127.0.0.1:1", "--backend", "a1111", "--url", "http://127.0.0.1:2", "--concurrency", "0")).err(),
    ).toMatch(/--concurrency/);
    expect(
      (await worker("--redis", "redis://127.0.0.1:1", "--backend", "a1111", "--url", "http://127.0.0.1:2", "--preview-every", "1.5")).err(),
    ).toMatch(/a whole number of steps, 0 for none for --preview-every/);
  });
});
