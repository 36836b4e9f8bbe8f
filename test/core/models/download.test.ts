import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { downloadFile } from "../../../core/models/download.js";
import { ErrorCode, InstantIdError } from "../../../core/errors.js";
import type { ProgressEvent } from "../../../core/progress.js";
import { startFileServer, type FileServer, type ServedFile } from "../../helpers/file-server.js";
import { tempDir } from "../../helpers/shared.js";
import { expectSameBytes } from "../../helpers/same-bytes.js";

const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const fast = { retryDelayMs: 5, idleTimeoutMs: 5_000 };

let server: FileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serveOne(file: ServedFile): Promise<{ url: string; destination: string }> {
  server = await startFileServer({ "/model.bin": file });
  return { url: `${server.url}/model.bin`, destination: join(await tempDir(), "sub", "model.bin") };
}

async function thrown(promise: Promise<unknown>): Promise<InstantIdError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InstantIdError);
  return error as InstantIdError;
}

describe("downloadFile", () => {
  it("writes the verified file at the final path, leaves no .part file, and reports progress up to the size", async () => {
    const body = randomBytes(300_000);
    const { url, destination } = await serveOne({ body });
    const events: ProgressEvent[] = [];
    const result = await downloadFile({
      url,
      destination,
      size: body.length,
      sha256: sha(body),
      label: "model",
      onProgress: (e) => events.push(e),
      ...fast,
    });
    expectSameBytes(await readFile(destination), body);
    expect(existsSync(`${destination}.part`)).toBe(false);
    expect(result).toMatchObject({ bytes: body.length, sha256: sha(body), resumedFrom: 0, requests: 1 });
    expect(events.at(-1)).toEqual({ stage: "model", completed: body.length, total: body.length });
  });

  it("resumes from the .part file with a Range request after the connection drops mid-file", async () => {
    const body = randomBytes(500_000);
    const { url, destination } = await serveOne({ body, dropFirstAfter: 120_000 });
    const result = await downloadFile({ url, destination, size: body.length, sha256: sha(body), ...fast });
    expectSameBytes(await readFile(destination), body);
    expect(server!.requests).toHaveLength(2);
    expect(server!.requests[0].range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(server!.requests[1].range ?? "")?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(120_000);
    expect(result.requests).toBe(2);
  });

  it("drops a connection that goes silent after the idle timeout and resumes where it stopped", async () => {
    // The timers are fake, so a slow machine cannot fire the idle timeout early: it fires when the test moves
    // the clock past it, once the first bytes are in and the server went silent.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const body = randomBytes(200_000);
      const { url, destination } = await serveOne({ body, stallFirstAfter: 50_000 });
      let received = 0;
      const onProgress = (e: ProgressEvent) => {
        received = e.completed;
      };
      const download = downloadFile({ url, destination, size: body.length, sha256: sha(body), ...fast, idleTimeoutMs: 60_000, onProgress });
      while (received < 50_000) await new Promise((resolve) => setImmediate(resolve));
      await vi.advanceTimersByTimeAsync(60_000);
      // The retry waits out its delay; the second request's own idle timer never comes near 60 s of fake time.
      while (server!.requests.length < 2) await vi.advanceTimersByTimeAsync(fast.retryDelayMs);
      await download;
      expect(server!.requests.map((r) => r.range)).toEqual([undefined, "bytes=50000-"]);
      expectSameBytes(await readFile(destination), body);
    } finally {
      vi.useRealTimers();
    }
  });

  it("continues a .part file left by an earlier run instead of starting over", async () => {
    const body = randomBytes(200_000);
    const { url, destination } = await serveOne({ body });
    await mkdir(join(destination, ".."), { recursive: true });
    await writeFile(`${destination}.part`, body.subarray(0, 77_777));
    const result = await downloadFile({ url, destination, size: body.length, sha256: sha(body), ...fast });
    expect(server!.requests.map((r) => r.range)).toEqual(["bytes=77777-"]);
    expect(result.resumedFrom).toBe(77_777);
    expectSameBytes(await readFile(destination), body);
  });

  it("restarts from zero when the server ignores Range and answers 200 with the whole file", async () => {
    const body = randomBytes(150_000);
    const { url, destination } = await serveOne({ body, ignoreRange: true });
    await mkdir(join(destination, ".."), { recursive: true });
    await writeFile(`${destination}.part`, body.subarray(0, 50_000));
    await downloadFile({ url, destination, size: body.length, sha256: sha(body), ...fast });
    expect(server!.requests.map((r) => r.range)).toEqual(["bytes=50000-"]);
    expectSameBytes(await readFile(destination), body);
  });

  it("throws a CHECKSUM error on a wrong digest, with nothing at the final path and the .part file deleted", async () => {
    const body = randomBytes(64_000);
    const { url, destination } = await serveOne({ body });
    const error = await thrown(downloadFile({ url, destination, size: body.length, sha256: "0".repeat(64), ...fast }));
    expect(error.code).toBe(ErrorCode.Checksum);
    expect(error.message).toContain(sha(body));
    expect(existsSync(destination)).toBe(false);
    expect(existsSync(`${destination}.part`)).toBe(false);
  });

  it("throws a CHECKSUM error before downloading when the server offers another size", async () => {
    const body = randomBytes(10_000);
    const { url, destination } = await serveOne({ body });
    const error = await thrown(downloadFile({ url, destination, size: 12_345, ...fast }));
    expect(error.code).toBe(ErrorCode.Checksum);
    expect(error.details).toMatchObject({ expectedSize: 12_345, offeredSize: 10_000 });
    expect(existsSync(destination)).toBe(false);
  });

  it("throws a NETWORK error carrying the status on a 404, without retrying and without files", async () => {
    const { destination } = await serveOne({ body: randomBytes(10) });
    const url = `${server!.url}/missing.bin`;
    const error = await thrown(downloadFile({ url, destination, ...fast }));
    expect(error.code).toBe(ErrorCode.Network);
    expect(error.details?.status).toBe(404);
    expect(error.message).toContain("HTTP 404");
    expect(server!.requests).toHaveLength(1);
    expect(existsSync(destination)).toBe(false);
    expect(existsSync(`${destination}.part`)).toBe(false);
  });

  it("retries a 503 with back-off and then succeeds", async () => {
    const body = randomBytes(20_000);
    const { url, destination } = await serveOne({ body, failFirst: { status: 503, times: 2 } });
    const result = await downloadFile({ url, destination, sha256: sha(body), ...fast });
    expect(result.requests).toBe(3);
    expectSameBytes(await readFile(destination), body);
  });

  it("gives up after the retries with a NETWORK error that carries the last status", async () => {
    const { url, destination } = await serveOne({ body: randomBytes(10), failFirst: { status: 500, times: 99 } });
    const error = await thrown(downloadFile({ url, destination, retries: 2, ...fast }));
    expect(error.code).toBe(ErrorCode.Network);
    expect(error.details).toMatchObject({ status: 500, requests: 3 });
  });

  it("follows redirects and keeps the Range header across them", async () => {
    const body = randomBytes(90_000);
    const { destination } = await serveOne({ body });
    await mkdir(join(destination, ".."), { recursive: true });
    await writeFile(`${destination}.part`, body.subarray(0, 1_000));
    await downloadFile({ url: `${server!.url}/redirect/model.bin`, destination, sha256: sha(body), ...fast });
    expect(server!.requests).toEqual([
      { path: "/redirect/model.bin", range: "bytes=1000-" },
      { path: "/model.bin", range: "bytes=1000-" },
    ]);
    expect((await stat(destination)).size).toBe(body.length);
  });

  it("finishes a .part file that is already whole without downloading again", async () => {
    const body = randomBytes(5_000);
    const { url, destination } = await serveOne({ body });
    await mkdir(join(destination, ".."), { recursive: true });
    await writeFile(`${destination}.part`, body);
    const result = await downloadFile({ url, destination, size: body.length, sha256: sha(body), ...fast });
    expect(result.requests).toBe(0);
    expectSameBytes(await readFile(destination), body);
  });

  it("throws ABORTED and keeps the .part file when cancelled", async () => {
    const body = randomBytes(400_000);
    const { url, destination } = await serveOne({ body, dropFirstAfter: 100_000 });
    const controller = new AbortController();
    const error = await thrown(
      downloadFile({
        url,
        destination,
        ...fast,
        retryDelayMs: 10_000,
        onProgress: (e) => e.completed > 0 && controller.abort(),
        signal: controller.signal,
      }),
    );
    expect(error.code).toBe(ErrorCode.Aborted);
    expect(existsSync(destination)).toBe(false);
    expect(existsSync(`${destination}.part`)).toBe(true);
  });
});

describe("downloadFile on a folder it cannot write", () => {
  it("says the disk is at fault, not the network", async () => {
    const body = randomBytes(1_000);
    const { url, destination } = await serveOne({ body });
    await mkdir(`${destination}.part`, { recursive: true }); // a folder where the .part file must go
    const error = await thrown(downloadFile({ url, destination, ...fast }));
    expect(error.code).toBe(ErrorCode.Internal);
    expect(error.message).toContain("Could not write");
  });
});
