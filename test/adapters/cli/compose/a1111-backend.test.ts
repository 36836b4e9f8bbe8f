import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { assumedCapabilities, type ControlNetUnit } from "../../../../adapters/a1111/index.js";
import { compositionA1111Request, compositionToA1111 } from "../../../../adapters/cli/compose/a1111-backend.js";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { createComposition, createIdentity, loadImage, saveIdentity, type FiveKeypoints } from "../../../../core/index.js";
import { tempDir } from "../../../helpers/shared.js";
import { startMockA1111, type MockA1111 } from "../../../mocks/a1111-server.js";
import { captureIo } from "../commands/capture.js";

const person = (v: number) => createIdentity([{ embedding: new Float32Array(512).fill(v) }]);
const face = (x: number): FiveKeypoints => [
  [x, 100],
  [x + 40, 100],
  [x + 20, 120],
  [x + 5, 140],
  [x + 35, 140],
];
const unitsOf = (body: Record<string, unknown>) => (body.alwayson_scripts as { controlnet: { args: ControlNetUnit[] } }).controlnet.args;

function twoPeople() {
  return createComposition({
    width: 512,
    height: 256,
    prompt: "two friends",
    negativePrompt: "blurry",
    identities: [
      {
        identity: person(1),
        keypoints: { points: face(60) },
        region: { rect: [0, 0, 256, 256] },
        ipScale: 0.7,
        identityNetScale: 0.6,
        end: 0.5,
        prompt: "red hat",
      },
      { identity: person(2), keypoints: { points: face(320) }, region: { rect: [256, 0, 512, 256] } },
    ],
  });
}

let server: MockA1111 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("composition to A1111", () => {
  it("gives each identity its unit pair: embedding, own keypoint image, scales, IdentityNet window (the adapter unit always on) and region mask", async () => {
    const body = await compositionA1111Request(twoPeople(), assumedCapabilities("a1111"), { steps: 20, cfg: 5, seed: 7 });
    expect(body).toMatchObject({ prompt: "two friends, red hat", negative_prompt: "blurry", width: 512, height: 256, steps: 20, seed: 7 });
    const units = unitsOf(body);
    expect(units.map((u) => [u.module, u.weight, u.guidance_start, u.guidance_end])).toEqual([
      ["instant_id_face_embedding", 0.7, 0, 1],
      ["none", 0.6, 0, 0.5],
      ["instant_id_face_embedding", 0.8, 0, 1],
      ["none", 0.8, 0, 1],
    ]);
    expect(units[0].ipadapter_input).toHaveLength(1);
    expect(units[0].effective_region_mask).toBe(units[1].effective_region_mask);
    expect(units[0].effective_region_mask).not.toBe(units[2].effective_region_mask);
    const mask = await loadImage(Buffer.from(units[2].effective_region_mask!, "base64"));
    expect([mask.data[0], mask.data[300 * 3]]).toEqual([0, 255]); // identity 2: right half
    const kps = await loadImage(Buffer.from(units[1].image!, "base64"));
    expect([...kps.data.subarray((100 * 512 + 60) * 3, (100 * 512 + 60) * 3 + 3)]).toEqual([255, 0, 0]);
    expect(units[3].image).not.toBe(units[1].image);
  });

  it("sends no mask for a single identity, and a concat identity's references together (the units join them into one blob)", async () => {
    const identity = createIdentity([{ embedding: new Float32Array(512).fill(1) }, { embedding: new Float32Array(512).fill(3) }], {
      combine: "concat",
    });
    const single = createComposition({ width: 256, height: 256, prompt: "p", identities: [{ identity }] });
    const { identities } = await compositionToA1111(single);
    expect(identities[0].mask).toBeUndefined();
    expect(identities[0].face.analysis!.embedding).toHaveLength(2);
    const averaged = await compositionToA1111(
      createComposition({ width: 256, height: 256, prompt: "p", identities: [{ identity: { ...identity, combine: "average" } }] }),
    );
    expect(Array.from((averaged.identities[0].face.analysis!.embedding as Float32Array).subarray(0, 2))).toEqual([2, 2]);
  });

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
  });
});
