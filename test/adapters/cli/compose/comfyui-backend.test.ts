import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { createIdentity, saveIdentity } from "../../../../core/index.js";
import { tempDir } from "../../../helpers/shared.js";
import { startMockComfy, type MockComfy } from "../../../mocks/comfyui-server.js";
import { texturedPng } from "../../../mocks/image-check.js";
import { captureIo } from "../commands/capture.js";

const person = (v: number) => createIdentity([{ embedding: new Float32Array(512).fill(v) }], { combine: "norm average" });
let server: MockComfy | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("instantid compose --backend comfyui", () => {
  it("instantid compose --backend comfyui uploads photo, keypoint image and mask per identity and runs", async () => {
    server = await startMockComfy({ stepMs: 2 });
    const dir = await tempDir();
    const [a, b] = [join(dir, "a.identity.safetensors"), join(dir, "b.identity.safetensors")];
    await saveIdentity(a, person(1));
    await saveIdentity(b, person(2));
    const [fa, fb] = [join(dir, "a.png"), join(dir, "b.png")];
    await writeFile(fa, await texturedPng(64, 64));
    await writeFile(fb, await texturedPng(80, 64));
    const out = join(dir, "out.png");
    const { io, err } = captureIo();
    const code = await runCli(
      commands,
      [
        "compose",
        "--identity",
        a,
        "--face",
        fa,
        "--region",
        "0,0,256,256",
        "--identity",
        b,
        "--face",
        fb,
        "--region",
        "256,0,512,256",
        "--size",
        "512x256",
        "--prompt",
        "p",
        "--backend",
        "comfyui",
        "--url",
        server.url,
        "--steps",
        "3",
        "-o",
        out,
      ],
      io,
    );
    expect(err()).not.toContain("compose:");
    expect(code).toBe(0);
    expect(server.uploads.size).toBe(6);
    expect((await readFile(out)).subarray(1, 4).toString()).toBe("PNG");
  });
});
