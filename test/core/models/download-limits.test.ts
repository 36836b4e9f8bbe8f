import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode, InstantIdError } from "../../../core/index.js";
import { downloadFile } from "../../../core/internal.js";
import { tempDir } from "../../helpers/shared.js";
import { startServer, type RunningServer } from "../../mocks/http-server.js";
import { startMockProxy, type MockProxy } from "../../mocks/proxy-server.js";
import { expectSameBytes } from "../../helpers/same-bytes.js";

let running: RunningServer | undefined;
let proxy: MockProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await running?.close();
  running = proxy = undefined;
});

/** A server that streams chunked bytes without end (until the client goes), counting what it wrote. */
async function endlessServer() {
  const sent = { bytes: 0 };
  running = await startServer((_, response) => {
    response.writeHead(200); // chunked, no length
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let open = true;
    response.on("close", () => (open = false));
    const pump = () => {
      while (open && sent.bytes < 512 * 1024 * 1024) {
        sent.bytes += chunk.length;
        if (!response.write(chunk)) return void response.once("drain", pump);
      }
    };
    pump();
  });
  return { url: `${running.url}/file`, sent };
}

async function thrown(promise: Promise<unknown>): Promise<InstantIdError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InstantIdError);
  return error as InstantIdError;
}

const fast = { retryDelayMs: 5, idleTimeoutMs: 5_000, env: {} };

describe("download limits", () => {
  it("stops a chunked stream at the expected size instead of writing what the server keeps sending", async () => {
    const { url, sent } = await endlessServer();
    const destination = join(await tempDir(), "model.onnx");
    const error = await thrown(downloadFile({ url, destination, size: 3 * 1024 * 1024, ...fast }));
    expect(error.code).toBe(ErrorCode.Checksum);
    expect(error.message).toContain("more than the expected 3145728 bytes");
    expect(existsSync(`${destination}.part`)).toBe(false);
    expect(existsSync(destination)).toBe(false);
    expect(sent.bytes).toBeLessThan(64 * 1024 * 1024); // the server was cut off, not drained
  });

  it("caps a file without a published size (config.json) at maxBytes", async () => {
    const { url } = await endlessServer();
    const destination = join(await tempDir(), "config.json");
    const error = await thrown(downloadFile({ url, destination, maxBytes: 64 * 1024, ...fast }));
    expect(error.code).toBe(ErrorCode.Checksum);
    expect(error.message).toContain("more than 65536 bytes for a file without a published size");
    expect(existsSync(`${destination}.part`)).toBe(false);
  });

  it("runs the content check on the whole file before the rename, and deletes the file it refuses", async () => {
    const body = Buffer.from("not a config");
    running = await startServer((_, response) => void response.writeHead(200, { "content-length": String(body.length) }).end(body));
    const destination = join(await tempDir(), "config.json");
    const seen: string[] = [];
    const refusal = new InstantIdError(ErrorCode.Checksum, "not a ControlNet config");
    const checkContent = async (part: string) => {
      seen.push(await readFile(part, "utf8"));
      throw refusal;
    };
    expect(await thrown(downloadFile({ url: `${running.url}/config.json`, destination, checkContent, ...fast }))).toBe(refusal);
    expect(seen).toEqual(["not a config"]);
    expect(existsSync(destination)).toBe(false);
    expect(existsSync(`${destination}.part`)).toBe(false);
    await downloadFile({ url: `${running.url}/config.json`, destination, checkContent: async () => undefined, ...fast });
    expect(await readFile(destination)).toEqual(body);
  });

  it("downloads through the proxy HTTP_PROXY names (the same stack as the bridges)", async () => {
    const body = Buffer.from('{"_class_name": "ControlNetModel"}');
    running = await startServer((_, response) => void response.writeHead(200, { "content-length": String(body.length) }).end(body));
    proxy = await startMockProxy();
    const destination = join(await tempDir(), "config.json");
    const sha256 = createHash("sha256").update(body).digest("hex");
    await downloadFile({ url: `${running.url}/config.json`, destination, sha256, ...fast, env: { HTTP_PROXY: proxy.url } });
    expectSameBytes(await readFile(destination), body);
    expect(proxy.targets.some((target) => target.includes(new URL(running!.url).host))).toBe(true);
  });
});
