import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ApiPrompt } from "../../../../adapters/comfyui/index.js";
import { objectInfoSnapshot, chooseModels } from "../../../../adapters/comfyui/index.js";
import {
  compositionComfyWorkflow,
  compositionToComfy,
  contentPlacer,
  uncoveredPixels,
} from "../../../../adapters/cli/compose/comfyui-backend.js";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { createComposition, createIdentity, loadImage, saveIdentity, type FiveKeypoints } from "../../../../core/index.js";
import { tempDir } from "../../../helpers/shared.js";
import { startMockComfy, type MockComfy } from "../../../mocks/comfyui-server.js";
import { texturedPng } from "../../../mocks/image-check.js";
import { captureIo } from "../commands/capture.js";

const person = (v: number) => createIdentity([{ embedding: new Float32Array(512).fill(v) }], { combine: "norm average" });
const face = (x: number): FiveKeypoints => [
  [x, 100],
  [x + 40, 100],
  [x + 20, 120],
  [x + 5, 140],
  [x + 35, 140],
];
const byClass = (prompt: ApiPrompt, type: string) => Object.values(prompt).filter((n) => n.class_type === type);

function twoPeople() {
  return createComposition({
    width: 512,
    height: 256,
    prompt: "two friends",
    identities: [
      {
        identity: person(1),
        keypoints: { points: face(60) },
        region: { rect: [0, 0, 256, 256] },
        ipScale: 0.7,
        identityNetScale: 0.6,
        start: 0.1,
        prompt: "red hat",
      },
      { identity: person(2), keypoints: { points: face(320) }, region: { rect: [256, 0, 512, 256] } },
    ],
  });
}

let server: MockComfy | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("composition to ComfyUI", () => {
  it("maps each identity to an apply node's inputs: photo, own keypoint image, mask, scales, window, noise 0, combine mode, region prompt", async () => {
    const placed = new Map<string, Uint8Array>();
    const place = async (data: Uint8Array, kind: string, ext: string) => {
      const name = `${kind}-${placed.size}${ext}`;
      placed.set(name, data);
      return name;
    };
    const photos = [
      { data: new Uint8Array([1]), extension: ".jpg" },
      { data: new Uint8Array([2]), extension: ".jpg" },
    ];
    const ids = await compositionToComfy(twoPeople(), photos, place);
    expect(ids[0]).toMatchObject({
      image: "face-0.jpg",
      keypoints: "kps-1.png",
      mask: "mask-2.png",
      ipWeight: 0.7,
      cnStrength: 0.6,
      startAt: 0.1,
      endAt: 1,
      noise: 0,
      combineEmbeds: "norm average",
      prompt: "red hat",
    });
    const mask = await loadImage(Buffer.from(placed.get("mask-2.png")!));
    expect([mask.data[0], mask.data[300 * 3]]).toEqual([255, 0]);
  });

  it("counts the pixels no region covers, for the warning", () => {
    expect(uncoveredPixels(twoPeople())).toBe(0);
    const gap = createComposition({
      width: 104,
      height: 16,
      prompt: "",
      identities: [
        { identity: person(1), region: { rect: [0, 0, 40, 16] } },
        { identity: person(2), region: { rect: [60, 0, 104, 16] } },
      ],
    });
    expect(uncoveredPixels(gap)).toBe(20 * 16);
  });

  it("refuses a composition without one photo per identity, since the pack reads faces from photos", async () => {
    await expect(compositionToComfy(twoPeople(), [], contentPlacer(undefined))).rejects.toThrow(/one --face photo per identity \(2\)/);
  });

  it("builds a workflow whose apply nodes each take the text conditionings, combined for the sampler", async () => {
    const photos = [
      { data: new Uint8Array([1]), extension: ".jpg" },
      { data: new Uint8Array([2]), extension: ".jpg" },
    ];
    const workflow = await compositionComfyWorkflow(
      twoPeople(),
      chooseModels(objectInfoSnapshot),
      { steps: 4, cfg: 5, seed: 1 },
      photos,
      contentPlacer(undefined),
    );
    expect(byClass(workflow, "ApplyInstantIDAdvanced")).toHaveLength(2);
    expect(byClass(workflow, "ConditioningCombine")).toHaveLength(2);
    expect(
      byClass(workflow, "CLIPTextEncode")
        .map((n) => n.inputs.text)
        .sort(),
    ).toEqual(["", "two friends", "two friends, red hat"]);
    expect(byClass(workflow, "EmptyLatentImage")[0].inputs).toMatchObject({ width: 512, height: 256 });
  });

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
