import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode, InstantIdError } from "../../../core/errors.js";
import { downloadFile } from "../../../core/models/download.js";
import { gitBlobId, gitBlobIdOfEtag } from "../../../core/models/git-blob.js";
import { startFileServer, type FileServer } from "../../helpers/file-server.js";
import { tempDir } from "../../helpers/shared.js";

/** What Git itself says the blob id is (the test's independent reference). */
const gitHashObject = (body: Buffer) => execFileSync("git", ["hash-object", "--stdin"], { input: body }).toString().trim();

const CONFIG = Buffer.from(`${JSON.stringify({ _class_name: "ControlNetModel", cross_attention_dim: 2048 }, null, 2)}\n`);
const fast = { retryDelayMs: 5, idleTimeoutMs: 5_000, env: {} };

let server: FileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function download(etag: string | undefined, gitBlobEtag = true): Promise<{ destination: string; result: Promise<unknown> }> {
  server = await startFileServer({ "/config.json": { body: CONFIG, etag } });
  const destination = join(await tempDir(), "config.json");
  return { destination, result: downloadFile({ url: `${server.url}/config.json`, destination, maxBytes: 65536, gitBlobEtag, ...fast }) };
}

describe("Git blob ids", () => {
  it("are what `git hash-object` computes, for an empty file and for bytes that are not text", async () => {
    const dir = await tempDir();
    for (const body of [Buffer.alloc(0), CONFIG, randomBytes(70_000)]) {
      const path = join(dir, "file");
      await writeFile(path, body);
      expect(await gitBlobId(path, body.length)).toBe(gitHashObject(body));
    }
  });

  it("are read from strong and weak ETags of 40 hex digits, and from nothing else", () => {
    const id = "a661b1a138dac6dc5590367402d100765010ffd6";
    expect(gitBlobIdOfEtag(`"${id}"`)).toBe(id);
    expect(gitBlobIdOfEtag(`W/"${id.toUpperCase()}"`)).toBe(id);
    expect(gitBlobIdOfEtag('"5f1b-5d4c9e2b"')).toBeUndefined(); // a web server's own ETag
    expect(gitBlobIdOfEtag(`"${"ab".repeat(32)}"`)).toBeUndefined(); // an LFS file's SHA-256
    expect(gitBlobIdOfEtag(null)).toBeUndefined();
  });
});

describe("downloading a plain Git file checked against the blob id its server sends as the ETag", () => {
  it("accepts the file whose Git blob id the ETag names", async () => {
    const { destination, result } = await download(`"${gitHashObject(CONFIG)}"`);
    await result;
    expect(await readFile(destination)).toEqual(CONFIG);
  });

  it("refuses a file whose bytes are not the blob the ETag names: CHECKSUM, no final file, no .part file", async () => {
    const { destination, result } = await download(`"${"0".repeat(40)}"`);
    const error = await result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InstantIdError);
    expect((error as InstantIdError).code).toBe(ErrorCode.Checksum);
    expect((error as InstantIdError).message).toContain(`Git blob id is ${gitHashObject(CONFIG)}, not the ${"0".repeat(40)}`);
    expect(existsSync(destination)).toBe(false);
    expect(await readdir(join(destination, ".."))).toEqual([]);
  });

  it("accepts the file on its other checks when the ETag names no blob, and ignores the ETag unless asked", async () => {
    for (const [etag, asked] of [
      ['"5f1b-5d4c9e2b"', true],
      [undefined, true],
      [`"${"0".repeat(40)}"`, false],
    ] as const) {
      const { destination, result } = await download(etag, asked);
      await result;
      expect(await readFile(destination)).toEqual(CONFIG);
      await server?.close();
      server = undefined;
    }
  });
});
