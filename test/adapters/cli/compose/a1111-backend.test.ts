import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ControlNetUnit } from "../../../../adapters/a1111/index.js";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { createIdentity, loadImage, saveIdentity } from "../../../../core/index.js";
import { tempDir } from "../../../helpers/shared.js";
import { startMockA1111, type MockA1111 } from "../../../mocks/a1111-server.js";
import { captureIo } from "../commands/capture.js";

const person = (v: number) => createIdentity([{ embedding: new Float32Array(512).fill(v) }]);
const unitsOf = (body: Record<string, unknown>) => (body.alwayson_scripts as { controlnet: { args: ControlNetUnit[] } }).controlnet.args;

let server: MockA1111 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("instantid compose --backend a1111", () => {
  it("instantid compose --backend a1111 --dry-run writes the request; a server receives each identity's embedding", async () => {
    const dir = await tempDir();
    const [a, b] = [join(dir, "a.identity.safetensors"), join(dir, "b.identity.safetensors")];
    await saveIdentity(a, person(1));
    await saveIdentity(b, person(2));
    const base = [
      "compose",
      "--identity",
      a,
      "--region",
      "0,0,256,256",
      "--identity",
      b,
      "--region",
      "256,0,512,256",
      "--size",
      "512x256",
      "--prompt",
      "two friends",
      "--backend",
      "a1111",
      "--seed",
      "3",
      "--steps",
      "4",
    ];
    const dry = captureIo();
    const request = join(dir, "request.json");
    expect(await runCli(commands, [...base, "--dry-run", request], dry.io)).toBe(0);
    expect(unitsOf(JSON.parse(await readFile(request, "utf8")))).toHaveLength(4);

    expect(dry.out()).toMatch(/the request has 4 ControlNet units: the server's control_net_unit_count .* must be at least 4/);

    server = await startMockA1111({ stepMs: 5 }); // the default 3 unit slots
    const refused = captureIo();
    const out = join(dir, "out.png");
    expect(await runCli(commands, [...base, "--url", server.url, "-o", out], refused.io)).toBe(1);
    expect(refused.err()).toMatch(
      /has control_net_unit_count 3.*to at least 4 in Settings > ControlNet, then restart the server \(.*\) \[SERVER_SETTING\]/,
    );
    expect(server.counts.generationAttempts).toBe(0);
    await server.close();

    server = await startMockA1111({ stepMs: 5, unitCount: 4 });
    const live = captureIo();
    expect(await runCli(commands, [...base, "--url", server.url, "-o", out], live.io)).toBe(0);
    expect(server.embeddings.map((e) => e[0])).toEqual([1, 2]);
    expect((await loadImage(out)).width).toBe(512);
    // Streamed out of the answer into out.png beside its info; the detected maps and the temp files are gone.
    expect((await readdir(dir)).sort()).toEqual([
      "a.identity.safetensors",
      "b.identity.safetensors",
      "out.json",
      "out.png",
      "request.json",
    ]);
    expect(live.out().trim().split("\n").at(-1)).toBe(out);
  });
});
