import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { objectInfoSnapshot, type ApiPrompt } from "../../../../adapters/comfyui/index.js";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { describeShared, sharedPath, tempDir } from "../../../helpers/shared.js";
import { serverObjectInfo, validatePrompt } from "../../../mocks/comfy-validate.js";
import { startMockComfy, type MockComfy } from "../../../mocks/comfyui-server.js";
import { texturedPng } from "../../../mocks/image-check.js";
import { captureIo } from "./capture.js";

let server: MockComfy | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function loadedImages(prompt: ApiPrompt): string[] {
  return Object.values(prompt).filter((n) => n.class_type.startsWith("LoadImage")).map((n) => n.inputs.image as string);
}

describe("instantid comfyui txt2img", () => {
  it("writes an API workflow with --dry-run that a server holding the named uploads accepts", async () => {
    const dir = await tempDir();
    const face = join(dir, "face.png");
    await writeFile(face, await texturedPng());
    const graph = join(dir, "graph.json");
    const { io } = captureIo();
    expect(await runCli(commands, ["comfyui", "txt2img", "--face", face, "--prompt", "p", "--size", "768x512", "--seed", "11", "--dry-run", graph], io)).toBe(0);
    const prompt = JSON.parse(await readFile(graph, "utf8")) as ApiPrompt;
    const images = loadedImages(prompt);
    expect(images).toHaveLength(1);
    expect(images[0]).toMatch(/^instantid-face-[0-9a-f]{16}\.png$/);
    expect(validatePrompt(prompt, serverObjectInfo(objectInfoSnapshot, images))).toBeUndefined();
    expect(Object.values(prompt).find((n) => n.class_type === "KSampler")?.inputs.seed).toBe(11);
  });

  it("asks the server for its models on a dry run but uploads and queues nothing", async () => {
    server = await startMockComfy({ models: { "CheckpointLoaderSimple.ckpt_name": ["sd15.safetensors", "juggernautXL.safetensors"] } });
    const dir = await tempDir();
    const face = join(dir, "face.png");
    await writeFile(face, await texturedPng());
    const graph = join(dir, "graph.json");
    const { io } = captureIo();
    expect(await runCli(commands, ["comfyui", "txt2img", "--url", server.url, "--face", face, "--prompt", "p", "--dry-run", graph], io)).toBe(0);
    const prompt = JSON.parse(await readFile(graph, "utf8")) as ApiPrompt;
    expect(Object.values(prompt).find((n) => n.class_type === "CheckpointLoaderSimple")?.inputs.ckpt_name).toBe("juggernautXL.safetensors");
    expect(server.uploads.size).toBe(0);
    expect(server.prompts).toHaveLength(0);
  });

  it("uploads, runs and saves the image on a server", async () => {
    server = await startMockComfy({ stepMs: 2 });
    const dir = await tempDir();
    const face = join(dir, "face.png");
    await writeFile(face, await texturedPng());
    const target = join(dir, "out.png");
    const { io, err } = captureIo();
    expect(await runCli(commands, ["comfyui", "txt2img", "--url", server.url, "--face", face, "--prompt", "p", "--size", "512x512", "--steps", "5", "-o", target], io)).toBe(0);
    expect(err()).toContain("sampling 5/5");
    expect((await readFile(target)).subarray(1, 4).toString()).toBe("PNG");
    expect(server.uploads.size).toBe(1);
  });
});

describeShared("instantid comfyui txt2img with local face models", "real", () => {
  it("uploads our keypoint image as image_kps and a mask per identity", async () => {
    server = await startMockComfy();
    const dir = await tempDir();
    const args = ["--models", sharedPath("real", "models"), "--face", sharedPath("real", "images", "obama_1.jpg"), "--face", sharedPath("real", "images", "hopkins_1.jpg")];
    const { io, err } = captureIo();
    const code = await runCli(commands, ["comfyui", "txt2img", "--url", server.url, ...args, "--prompt", "p", "--size", "1024x512", "--steps", "2", "-o", join(dir, "o.png")], io);
    expect(err()).not.toContain("comfyui txt2img:");
    expect(code).toBe(0);
    const [prompt] = server.prompts;
    const names = loadedImages(prompt);
    expect(names.filter((n) => n.startsWith("instantid-kps-"))).toHaveLength(2);
    expect(names.filter((n) => n.startsWith("instantid-mask-"))).toHaveLength(2);
  });
});
