import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { objectInfoSnapshot, type ApiPrompt } from "../../../../adapters/comfyui/index.js";
import { comfyuiTxt2ImgCommand } from "../../../../adapters/cli/commands/comfyui.js";
import { composeCommand } from "../../../../adapters/cli/commands/compose.js";
import { identityCreateCommand } from "../../../../adapters/cli/commands/identity-create.js";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { comfyuiComposeBackend } from "../../../../adapters/cli/compose/comfyui-backend.js";
import type { OpenFaceAnalysis } from "../../../../adapters/cli/face-analysis.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { FaceAnalysis } from "../../../../core/index.js";
import { describeShared, sharedPath, tempDir } from "../../../helpers/shared.js";
import { serverObjectInfo, validatePrompt } from "../../../mocks/comfy-validate.js";
import { startMockComfy, type MockComfy } from "../../../mocks/comfyui-server.js";
import { texturedPng } from "../../../mocks/image-check.js";
import { captureIo } from "./capture.js";
import { fakeGroupAnalysis } from "./fake-analysis.js";

let server: MockComfy | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function loadedImages(prompt: ApiPrompt): string[] {
  return Object.values(prompt)
    .filter((n) => n.class_type.startsWith("LoadImage"))
    .map((n) => n.inputs.image as string);
}

describe("instantid comfyui txt2img", () => {
  it("writes an API workflow with --dry-run that a server holding the named uploads accepts", async () => {
    const dir = await tempDir();
    const face = join(dir, "face.png");
    await writeFile(face, await texturedPng());
    const graph = join(dir, "graph.json");
    const { io } = captureIo();
    expect(
      await runCli(
        commands,
        ["comfyui", "txt2img", "--face", face, "--prompt", "p", "--size", "768x512", "--seed", "11", "--dry-run", graph],
        io,
      ),
    ).toBe(0);
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
    expect(
      await runCli(commands, ["comfyui", "txt2img", "--url", server.url, "--face", face, "--prompt", "p", "--dry-run", graph], io),
    ).toBe(0);
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
    expect(
      await runCli(
        commands,
        ["comfyui", "txt2img", "--url", server.url, "--face", face, "--prompt", "p", "--size", "512x512", "--steps", "5", "-o", target],
        io,
      ),
    ).toBe(0);
    expect(err()).toContain("sampling 5/5");
    expect((await readFile(target)).subarray(1, 4).toString()).toBe("PNG");
    expect(server.uploads.size).toBe(1);
  });
});

/** Runs one command line with `list`, expecting `code`; returns what it wrote to stderr. */
async function run(list: Parameters<typeof runCli>[0], argv: string[], code = 0): Promise<string> {
  const { io, err } = captureIo();
  expect(await runCli(list, argv, io), err()).toBe(code);
  return err();
}

/**
 * `comfyui txt2img` with two face photos and the equivalent `compose --backend comfyui` (identity
 * files made from the same photos, side-by-side regions at 1024x512): both dry-run workflows.
 */
async function bridgeAndCompose(
  dir: string,
  photos: readonly string[],
  analysis: OpenFaceAnalysis,
  extra: readonly string[] = [],
): Promise<[ApiPrompt, ApiPrompt]> {
  const files = photos.map((_, i) => join(dir, `id${i}.identity.safetensors`));
  for (const [i, photo] of photos.entries())
    await run([identityCreateCommand(analysis)], ["identity", "create", photo, "--models", "models", "-o", files[i]]);
  const shared = [
    "--face",
    photos[0],
    "--face",
    photos[1],
    ...extra,
    "--prompt",
    "two friends",
    "--size",
    "1024x512",
    "--seed",
    "9",
    "--adapter-scale",
    "0.7",
  ];
  const [bridge, compose] = [join(dir, "bridge.json"), join(dir, "compose.json")];
  await run([comfyuiTxt2ImgCommand(analysis)], ["comfyui", "txt2img", ...shared, "--models", "models", "--dry-run", bridge]);
  const regions = ["--identity", files[0], "--region", "0,0,512,512", "--identity", files[1], "--region", "512,0,1024,512"];
  await run(
    [composeCommand(analysis, { comfyui: comfyuiComposeBackend })],
    ["compose", ...regions, ...shared, "--models", "models", "--backend", "comfyui", "--dry-run", compose],
  );
  return [JSON.parse(await readFile(bridge, "utf8")), JSON.parse(await readFile(compose, "utf8"))];
}

describe("instantid comfyui txt2img with several identities", () => {
  it("--dry-run writes the same workflow as instantid compose --backend comfyui with side-by-side regions", async () => {
    const dir = await tempDir();
    const photos = [join(dir, "a.png"), join(dir, "b.png")];
    for (const photo of photos) await writeFile(photo, await texturedPng(96, 96));
    const [bridge, compose] = await bridgeAndCompose(dir, photos, fakeGroupAnalysis([0.5]));
    expect(bridge).toEqual(compose);
    const names = loadedImages(bridge);
    expect(names.filter((n) => n.startsWith("instantid-mask-"))).toHaveLength(2);
    expect(validatePrompt(bridge, serverObjectInfo(objectInfoSnapshot, names))).toBeUndefined();
  });

  it("refuses more identities than the pose photo has faces (NO_FACE)", async () => {
    const dir = await tempDir();
    const paths = ["a.png", "b.png", "pose.png"].map((name) => join(dir, name));
    for (const path of paths) await writeFile(path, await texturedPng(96, 96));
    const argv = [
      "comfyui",
      "txt2img",
      "--face",
      paths[0],
      "--face",
      paths[1],
      "--pose",
      paths[2],
      "--models",
      "models",
      "--prompt",
      "p",
      "--dry-run",
      join(dir, "g.json"),
    ];
    const err = await run([comfyuiTxt2ImgCommand(fakeGroupAnalysis([0.5]))], argv, 1);
    expect(err).toContain("The pose photo shows 1 face(s) but 2 identities");
    expect(err).toContain("[NO_FACE]");
  });
});

describeShared("instantid comfyui txt2img with local face models", "real", () => {
  it("uploads our keypoint image as image_kps and a mask per identity", async () => {
    server = await startMockComfy();
    const dir = await tempDir();
    const args = [
      "--models",
      sharedPath("real", "models"),
      "--face",
      sharedPath("real", "images", "obama_1.jpg"),
      "--face",
      sharedPath("real", "images", "hopkins_1.jpg"),
    ];
    const { io, err } = captureIo();
    const code = await runCli(
      commands,
      ["comfyui", "txt2img", "--url", server.url, ...args, "--prompt", "p", "--size", "1024x512", "--steps", "2", "-o", join(dir, "o.png")],
      io,
    );
    expect(err()).not.toContain("comfyui txt2img:");
    expect(code).toBe(0);
    const [prompt] = server.prompts;
    const names = loadedImages(prompt);
    expect(names.filter((n) => n.startsWith("instantid-kps-"))).toHaveLength(2);
    expect(names.filter((n) => n.startsWith("instantid-mask-"))).toHaveLength(2);
  });

  it("takes the keypoints from a two-person pose photo, with the workflow compose writes", async () => {
    const dir = await tempDir();
    const models = sharedPath("real", "models");
    const analysis: OpenFaceAnalysis = async () => ({ analyzer: await FaceAnalysis.create({ models }), models: [] });
    const photos = [sharedPath("real", "images", "obama_1.jpg"), sharedPath("real", "images", "biden_1.jpg")];
    const [bridge, compose] = await bridgeAndCompose(dir, photos, analysis, ["--pose", sharedPath("real", "images", "two_people.jpg")]);
    expect(bridge).toEqual(compose);
    const [plain] = await bridgeAndCompose(await tempDir(), photos, analysis);
    const keypointImages = (prompt: ApiPrompt) => loadedImages(prompt).filter((n) => n.startsWith("instantid-kps-"));
    expect(keypointImages(bridge)).toHaveLength(2);
    expect(keypointImages(bridge)).not.toEqual(keypointImages(plain)); // the pose photo moved the keypoints
  });
});
