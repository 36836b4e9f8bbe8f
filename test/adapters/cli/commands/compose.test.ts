import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { composeCommand } from "../../../../adapters/cli/commands/compose.js";
import type { OpenFaceAnalysis } from "../../../../adapters/cli/face-analysis.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import type { Face, FiveKeypoints } from "../../../../core/face/types.js";
import { createIdentity, saveIdentity } from "../../../../core/identity/index.js";
import { loadImage, savePng } from "../../../../core/image/io.js";
import { tempDir } from "../../../helpers/shared.js";
import { captureIo } from "./capture.js";

// A group photo analyser: two faces, the right one listed first, so matching must sort them.
const groupAnalysis: OpenFaceAnalysis = async () => ({
  models: [],
  analyzer: {
    async analyze(image) {
      const face = (x: number): Face => {
        const kps = [
          [x, 40],
          [x + 30, 40],
          [x + 15, 55],
          [x + 5, 70],
          [x + 25, 70],
        ] as unknown as FiveKeypoints;
        const embedding = new Float32Array(8).fill(1);
        return { bbox: [x - 10, 20, x + 40, 90], score: 0.9, kps, embedding, normedEmbedding: embedding };
      };
      return image.width > 100 ? [face(130), face(30)] : [];
    },
  },
});

async function identities(dir: string): Promise<[string, string]> {
  const a = join(dir, "a.identity.safetensors");
  const b = join(dir, "b.identity.safetensors");
  await saveIdentity(a, createIdentity([{ embedding: new Float32Array(512).fill(1) }]));
  await saveIdentity(b, createIdentity([{ embedding: new Float32Array(512).fill(2) }]));
  return [a, b];
}

const pixel = (img: { width: number; data: Uint8Array }, x: number, y: number) => [
  ...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3),
];
const commands = [composeCommand(groupAnalysis, {})];

describe("instantid compose", () => {
  it("--preview alone writes the layout: two regions and each identity's keypoints", async () => {
    const dir = await tempDir();
    const [a, b] = await identities(dir);
    const preview = join(dir, "layout.png");
    const { io, out, err } = captureIo();
    const code = await runCli(
      commands,
      [
        "compose",
        "--identity",
        a,
        "--region",
        "0,0,128,256",
        "--identity",
        b,
        "--region",
        "128,0,256,256",
        "--size",
        "256x256",
        "--prompt",
        "two friends",
        "--preview",
        preview,
      ],
      io,
    );
    expect(err()).toBe("");
    expect(code).toBe(0);
    expect(out()).toContain("composition 256x256, 2 identities");
    const img = await loadImage(preview);
    expect([img.width, img.height]).toEqual([256, 256]);
    expect(pixel(img, 64, 250)).not.toEqual(pixel(img, 192, 250)); // two region tints
  });

  it("takes keypoints from a --pose group photo left to right, and reports keypoints outside their region", async () => {
    const dir = await tempDir();
    const [a, b] = await identities(dir);
    const pose = join(dir, "group.png");
    await savePng(pose, { width: 200, height: 100, data: new Uint8Array(200 * 100 * 3) });
    const preview = join(dir, "layout.png");
    const { io, err } = captureIo();
    // Regions swapped on purpose: identity 1 gets the left pose face but the right half.
    const code = await runCli(
      commands,
      [
        "compose",
        "--identity",
        a,
        "--region",
        "100,0,200,100",
        "--identity",
        b,
        "--region",
        "0,0,100,100",
        "--pose",
        pose,
        "--models",
        dir,
        "--prompt",
        "x",
        "--preview",
        preview,
      ],
      io,
    );
    expect(code).toBe(0);
    expect(err()).toContain("warning [KEYPOINTS_OUTSIDE_REGION]: identity 1");
    const img = await loadImage(preview);
    expect([img.width, img.height]).toEqual([200, 96]); // the pose size floored to multiples of 8
    expect(pixel(img, 30, 40)).toEqual([255, 0, 0]); // left pose face's left eye
  });

  it("more identities than pose faces fails with NO_FACE", async () => {
    const dir = await tempDir();
    const [a, b] = await identities(dir);
    const pose = join(dir, "group.png");
    await savePng(pose, { width: 200, height: 100, data: new Uint8Array(200 * 100 * 3) });
    const { io, err } = captureIo();
    const code = await runCli(
      commands,
      [
        "compose",
        "--identity",
        a,
        "--identity",
        b,
        "--identity",
        a,
        "--pose",
        pose,
        "--models",
        dir,
        "--prompt",
        "x",
        "--preview",
        join(dir, "p.png"),
      ],
      io,
    );
    expect(code).toBe(1);
    expect(err()).toMatch(/2 face\(s\) but 3 identities.*\[NO_FACE\]/);
  });

  it("--overlap reject refuses overlapping regions; an empty region is refused", async () => {
    const dir = await tempDir();
    const [a, b] = await identities(dir);
    const base = ["compose", "--identity", a, "--identity", b, "--size", "64x64", "--prompt", "x", "--preview", join(dir, "p.png")];
    const overlap = captureIo();
    expect(await runCli(commands, [...base, "--region", "0,0,40,64", "--region", "30,0,64,64", "--overlap", "reject"], overlap.io)).toBe(1);
    expect(overlap.err()).toMatch(/overlap on 640 pixels.*\[INVALID_INPUT\]/);
    const empty = captureIo();
    expect(await runCli(commands, [...base, "--region", "0,0,32,64", "--region", "100,100,200,200"], empty.io)).toBe(1);
    expect(empty.err()).toMatch(/region of identity 2 .* is empty/);
  });

  it("checks options: region count, backend name, a backend without output, a backend missing from the build", async () => {
    const dir = await tempDir();
    const [a, b] = await identities(dir);
    const run = async (...argv: string[]) => {
      const c = captureIo();
      const code = await runCli(commands, ["compose", "--identity", a, "--identity", b, "--prompt", "x", ...argv], c.io);
      return { code, err: c.err() };
    };
    expect(await run("--region", "0,0,1,1", "--backend", "local", "-o", "x.png")).toMatchObject({
      code: 2,
      err: expect.stringMatching(/one --region per --identity \(2\)/),
    });
    expect(await run("--backend", "midjourney")).toMatchObject({ code: 2, err: expect.stringMatching(/local \| a1111 \| comfyui/) });
    expect(await run("--region", "0,0,512,1024", "--region", "512,0,1024,1024", "--backend", "a1111")).toMatchObject({
      code: 2,
      err: expect.stringMatching(/-o OUT.png.*--dry-run/),
    });
    expect(
      await run("--region", "0,0,512,1024", "--region", "512,0,1024,1024", "--backend", "a1111", "--dry-run", join(dir, "r.json")),
    ).toMatchObject({ code: 2, err: expect.stringMatching(/not part of this build/) });
  });
});
