import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HttpClient } from "../../../adapters/net/index.js";
import { InstantIdError } from "../../../core/index.js";
import { tempDir } from "../../helpers/shared.js";
import { readBody, type RunningServer, sendJson, sleep, startServer } from "../../mocks/http-server.js";
import { parseMultipart } from "../../mocks/multipart-parse.js";
import { failure } from "../../helpers/failure.js";

let running: RunningServer | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await running?.close();
  running = undefined;
});

/** Advances fake time in small steps until `promise` settles (real I/O runs in between). */
async function driveFakeTime<T>(promise: Promise<T>, stepMs = 10, maxMs = 60_000): Promise<T> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let elapsed = 0; !settled && elapsed < maxMs; elapsed += stepMs) await vi.advanceTimersByTimeAsync(stepMs);
  return promise;
}

/** A deterministic body of `size` bytes (not all one value, so a misplaced chunk shows). */
function bodyOf(size: number): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) body.writeUInt32BE(i, i);
  return body;
}

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
const sizeOf = (path: string) =>
  stat(path).then(
    (s) => s.size,
    () => undefined,
  );

describe("HttpClient.download", () => {
  it("streams a large body into the file as it arrives: the .part holds the first half before the server sends the rest", async () => {
    const half = bodyOf(8 * 1024 * 1024);
    const dir = await tempDir();
    const target = join(dir, "image.png");
    let partBeforeEnd: number | undefined;
    running = await startServer(async (_, response) => {
      response.writeHead(200, { "content-type": "image/png" }); // chunked: no length up front
      response.write(half);
      // Wait (bounded) until the client has put the first half on disk: a client that buffered the
      // whole body in memory would write nothing before the end.
      for (let i = 0; i < 500 && ((await sizeOf(`${target}.part`)) ?? 0) < half.length; i++) await sleep(10);
      partBeforeEnd = await sizeOf(`${target}.part`);
      response.end(half);
    });
    const client = new HttpClient({ baseUrl: running.url, what: "test server" });
    const file = await client.download({ path: "/view" }, target);
    expect(partBeforeEnd).toBe(half.length);
    expect(file).toMatchObject({ status: 200, path: target, bytes: 2 * half.length });
    expect(sha256(await readFile(target))).toBe(sha256(Buffer.concat([half, half])));
    expect(await readdir(dir)).toEqual(["image.png"]);
  });

  it("refuses a body over the cap, declared or streamed, and leaves no file", async () => {
    running = await startServer((request, response) => {
      if (request.url === "/declared") {
        response.writeHead(200, { "content-length": String(4 * 1024 * 1024) });
        response.write(Buffer.alloc(1024));
        return;
      }
      response.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && response.write(chunk)) sent++;
        if (sent < 64) response.once("drain", pump);
        else response.end();
      };
      response.on("close", () => (sent = 64));
      pump();
    });
    const dir = await tempDir();
    const client = new HttpClient({ baseUrl: running.url, what: "test server", maxResponseBytes: 1024 * 1024 });
    for (const path of ["/declared", "/chunked"]) {
      const error = await failure(client.download({ path }, join(dir, "out.png")));
      expect(error.code).toBe("SERVER");
      expect(error.message).toContain("more than 1048576 bytes");
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it("leaves no file when the connection drops mid-body, after retrying the GET from scratch", async () => {
    let calls = 0;
    running = await startServer((_, response) => {
      calls++;
      response.writeHead(200, { "content-length": String(1024 * 1024) });
      response.write(bodyOf(512 * 1024), () => response.socket?.destroy());
    });
    const dir = await tempDir();
    const client = new HttpClient({ baseUrl: running.url, what: "test server", backoffMs: 1, retries: 1 });
    const error = await failure(client.download({ path: "/view" }, join(dir, "out.png")));
    expect(error.code).toBe("NETWORK");
    expect(error.message).toContain("dropped while its answer was read");
    expect(calls).toBe(2);
    expect(await readdir(dir)).toEqual([]);
  });

  it("leaves no file when the server stalls mid-body past the request timeout (fake timers)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    running = await startServer((_, response) => {
      response.writeHead(200, { "content-length": String(1024 * 1024) });
      response.write(bodyOf(256 * 1024)); // then silence
    });
    const dir = await tempDir();
    const client = new HttpClient({ baseUrl: running.url, what: "test server", timeoutMs: 500 });
    const error = await failure(driveFakeTime(client.download({ path: "/view" }, join(dir, "out.png"))));
    expect(error.code).toBe("NETWORK");
    expect(error.message).toContain("timed out after 0.5 s");
    expect(await readdir(dir)).toEqual([]);
  });

  it("lets checkStart refuse the body from its first bytes, and reports an error status with the server's message", async () => {
    running = await startServer((request, response) =>
      request.url === "/page"
        ? void response.writeHead(200, { "content-type": "text/html" }).end(`<html>${"x".repeat(100_000)}</html>`)
        : sendJson(response, 404, { error: "file not found" }),
    );
    const dir = await tempDir();
    const client = new HttpClient({ baseUrl: running.url, what: "test server" });
    const seen: number[] = [];
    const checkStart = (start: Uint8Array) => {
      seen.push(start.length);
      if (start[0] !== 0x89) throw new InstantIdError("SERVER", "not a PNG");
    };
    expect((await failure(client.download({ path: "/page" }, join(dir, "a.png"), { checkStart }))).message).toBe("not a PNG");
    expect(seen).toEqual([64]);
    const missing = await failure(client.download({ path: "/missing" }, join(dir, "b.png"), { checkStart }));
    expect(missing.message).toContain("HTTP 404: file not found");
    expect(seen).toEqual([64]); // an error status is never written nor checked
    expect(await readdir(dir)).toEqual([]);
  });

  it("checks a body shorter than 64 bytes once it ended, and writes an empty body as an empty file", async () => {
    running = await startServer((request, response) => void response.end(request.url === "/short" ? "tiny" : ""));
    const dir = await tempDir();
    const client = new HttpClient({ baseUrl: running.url, what: "test server" });
    const seen: string[] = [];
    await client.download({ path: "/short" }, join(dir, "short.bin"), {
      checkStart: (start) => void seen.push(Buffer.from(start).toString()),
    });
    expect(seen).toEqual(["tiny"]);
    expect((await client.download({ path: "/empty" }, join(dir, "nested", "empty.bin"))).bytes).toBe(0);
    expect((await readFile(join(dir, "nested", "empty.bin"))).length).toBe(0);
  });

  it("says which file it could not write when the folder cannot be made", async () => {
    running = await startServer((_, response) => void response.end("data"));
    const dir = await tempDir();
    const client = new HttpClient({ baseUrl: running.url, what: "test server" });
    await client.download({ path: "/" }, join(dir, "file"));
    const error = await failure(client.download({ path: "/" }, join(dir, "file", "below.png"))); // "file" is a file, not a folder
    expect(error.code).toBe("INTERNAL");
    expect(error.message).toContain("Could not write");
    expect(await readdir(dir)).toEqual(["file"]);
  });
});

describe("HttpClient form bodies", () => {
  it("sends a FormData with a Blob as multipart/form-data that an aiohttp-style parser reads", async () => {
    let parts: ReturnType<typeof parseMultipart> = [];
    running = await startServer(async (request, response) => {
      parts = parseMultipart(await readBody(request), request.headers["content-type"]);
      sendJson(response, 200, { ok: true });
    });
    const client = new HttpClient({ baseUrl: running.url, what: "test server" });
    const form = new FormData();
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2]);
    form.append("image", new Blob([png], { type: "image/png" }), "face.png");
    form.append("type", "input");
    expect(await client.json({ method: "POST", path: "/upload/image", form })).toEqual({ ok: true });
    expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ["image", "face.png", "image/png"],
      ["type", undefined, undefined],
    ]);
    expect(parts[0].data.equals(png)).toBe(true);
    expect(parts[1].data.toString()).toBe("input");
  });
});
