import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ControlNetUnit } from "../../../../adapters/a1111/index.js";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { createIdentity, FaceAnalysis, saveIdentity } from "../../../../core/index.js";
import { describeShared, sharedPath, tempDir } from "../../../helpers/shared.js";
import { startMockA1111, type MockA1111 } from "../../../mocks/a1111-server.js";
import { decodeBase64Image, pngOf, texturedPng } from "../../../mocks/image-check.js";
import { captureIo } from "./capture.js";

let server: MockA1111 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function facePhoto(dir: string, name = "face.png", photo?: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, photo ?? (await texturedPng(96, 96)));
  return path;
}

function unitsOf(body: Record<string, unknown>): ControlNetUnit[] {
  return (body.alwayson_scripts as { controlnet: { args: ControlNetUnit[] } }).controlnet.args;
}

describe("instantid a1111 txt2img", () => {
  it("writes the exact request with --dry-run, the server analysing the photo", async () => {
    const dir = await tempDir();
    const { io, out } = captureIo();
    const request = join(dir, "request.json");
    const code = await runCli(commands, ["a1111", "txt2img", "--face", await facePhoto(dir), "--prompt", "a portrait", "--size", "768x512", "--seed", "5", "--cn-scale", "0.6", "--dry-run", request], io);
    expect(code).toBe(0);
    expect(out()).toContain(request);
    const body = JSON.parse(await readFile(request, "utf8"));
    expect(body).toMatchObject({ prompt: "a portrait", width: 768, height: 512, seed: 5, steps: 30, cfg_scale: 5 });
    expect(unitsOf(body).map((u) => [u.module, u.model, u.weight])).toEqual([
      ["instant_id_face_embedding", "ip-adapter_instant_id_sdxl", 0.8],
      ["instant_id_face_keypoints", "control_instant_id_sdxl", 0.6],
    ]);
  });

  it("generates on a server and saves the image with its info, reporting progress", async () => {
    server = await startMockA1111({ stepMs: 80 });
    const dir = await tempDir();
    const { io, err, out } = captureIo();
    const target = join(dir, "out.png");
    const code = await runCli(commands, ["a1111", "txt2img", "--url", server.url, "--face", await facePhoto(dir), "--prompt", "p", "--size", "512x512", "--steps", "10", "--seed", "3", "-o", target], io);
    expect(err()).toContain("sampling");
    expect(code).toBe(0);
    expect(out().trim()).toBe(target);
    expect(await decodeBase64Image((await readFile(target)).toString("base64"), "out")).toEqual({ width: 512, height: 512 });
    expect(JSON.parse(await readFile(join(dir, "out.json"), "utf8")).seed).toBe(3);
  });

  it("exits 1 with the server's message when it finds no face", async () => {
    server = await startMockA1111();
    const dir = await tempDir();
    const { io, err } = captureIo();
    const code = await runCli(commands, ["a1111", "txt2img", "--url", server.url, "--face", await facePhoto(dir, "flat.png", await pngOf(64, 64)), "--prompt", "p", "--size", "512x512", "-o", join(dir, "o.png")], io);
    expect(code).toBe(1);
    expect(err()).toContain("Insightface: No face found");
  });

  it("sends an identity file's averaged embeddings and its keypoints, with no photo and no face models", async () => {
    server = await startMockA1111();
    const dir = await tempDir();
    const a = Float32Array.from({ length: 512 }, (_, i) => i / 100);
    const b = Float32Array.from({ length: 512 }, (_, i) => 1 - i / 100);
    const kps = [[40, 50], [60, 50], [50, 60], [42, 70], [58, 70]] as const;
    const file = join(dir, "me.identity.safetensors");
    await saveIdentity(file, createIdentity([{ embedding: a, kps, width: 100, height: 100 }, { embedding: b, kps, width: 100, height: 100 }]));
    const { io, err } = captureIo();
    const code = await runCli(commands, ["a1111", "txt2img", "--url", server.url, "--identity", file, "--prompt", "p", "--size", "512x512", "-o", join(dir, "o.png")], io);
    expect(err()).not.toContain("txt2img:");
    expect(code).toBe(0);
    expect([...server.embeddings[0]]).toEqual([...a].map((v, i) => Math.fround((v + b[i]) / 2)));
    const [adapter, net] = unitsOf(server.generations[0]);
    expect(adapter.image).toBeUndefined();
    expect(net.module).toBe("none");
  });

  it("refuses an identity file for Forge, which needs the photo", async () => {
    server = await startMockA1111({ flavour: "forge" });
    const dir = await tempDir();
    const file = join(dir, "me.identity.safetensors");
    const kps = [[40, 50], [60, 50], [50, 60], [42, 70], [58, 70]] as const;
    await saveIdentity(file, createIdentity([{ embedding: new Float32Array(512).fill(1), kps, width: 100, height: 100 }]));
    const { io, err } = captureIo();
    expect(await runCli(commands, ["a1111", "txt2img", "--url", server.url, "--identity", file, "--prompt", "p", "--size", "512x512", "-o", join(dir, "o.png")], io)).toBe(1);
    expect(err()).toContain("The forge server analyses faces itself and needs the photo");
  });

  it("rejects a bad --size and a missing --url at the boundary", async () => {
    const dir = await tempDir();
    const face = await facePhoto(dir);
    const a = captureIo();
    expect(await runCli(commands, ["a1111", "txt2img", "--face", face, "--prompt", "p", "--size", "1000x7", "--dry-run", join(dir, "r.json")], a.io)).toBe(1);
    expect(a.err()).toContain("Expected WxH, multiples of 8 between 64 and 4096 for --size");
    const b = captureIo();
    expect(await runCli(commands, ["a1111", "txt2img", "--face", face, "--prompt", "p"], b.io)).toBe(1);
    expect(b.err()).toContain("Expected --url");
  });
});

describeShared("instantid a1111 txt2img with local face models", "real", () => {
  const models = sharedPath("real", "models");
  const obama = sharedPath("real", "images", "obama_1.jpg");
  const biden = sharedPath("real", "images", "biden_1.jpg");

  it("sends the raw embedding as ipadapter_input and a keypoint image at the output size", async () => {
    server = await startMockA1111();
    const dir = await tempDir();
    const { io, err } = captureIo();
    const code = await runCli(commands, ["a1111", "txt2img", "--url", server.url, "--models", models, "--face", obama, "--prompt", "p", "--size", "640x768", "-o", join(dir, "o.png")], io);
    expect(err()).not.toContain("instantid a1111 txt2img:");
    expect(code).toBe(0);
    const [face] = await (await FaceAnalysis.create({ models })).analyze(obama);
    expect([...server.embeddings[0]]).toEqual([...face.embedding]);
    const [adapter, net] = unitsOf(server.generations[0]);
    expect(adapter.image).toBeUndefined();
    expect(net.module).toBe("none");
    expect(await decodeBase64Image(net.image, "kps")).toEqual({ width: 640, height: 768 });
  });

  it("gives each of two identities its unit pair and region mask", async () => {
    const dir = await tempDir();
    const request = join(dir, "r.json");
    const { io } = captureIo();
    expect(await runCli(commands, ["a1111", "txt2img", "--models", models, "--face", obama, "--face", biden, "--prompt", "p", "--size", "1024x512", "--dry-run", request], io)).toBe(0);
    const units = unitsOf(JSON.parse(await readFile(request, "utf8")));
    expect(units).toHaveLength(4);
    expect(units[0].effective_region_mask).toBe(units[1].effective_region_mask);
    expect(units[0].effective_region_mask).not.toBe(units[2].effective_region_mask);
    expect(units.every((u) => typeof u.effective_region_mask === "string")).toBe(true);
  });
});
