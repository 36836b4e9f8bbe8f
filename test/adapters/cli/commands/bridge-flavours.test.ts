import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ApiPrompt } from "../../../../adapters/comfyui/index.js";
import { a1111Txt2ImgCommand } from "../../../../adapters/cli/commands/a1111.js";
import { comfyuiTxt2ImgCommand } from "../../../../adapters/cli/commands/comfyui.js";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import {
  FaceAnalysis,
  fitKeypoints,
  largestFace,
  loadImage,
  workingSize,
  type FiveKeypoints,
  type RgbImage,
} from "../../../../core/index.js";
import { describeShared, sharedPath, tempDir } from "../../../helpers/shared.js";
import { startMockA1111, type MockA1111 } from "../../../mocks/a1111-server.js";
import { startMockComfy, type MockComfy } from "../../../mocks/comfyui-server.js";
import { texturedPng } from "../../../mocks/image-check.js";
import { captureIo } from "./capture.js";
import { fakeGroupAnalysis } from "./fake-analysis.js";

// Every bridge flavour (A1111 + sd-webui-controlnet, Forge, SD.Next, ComfyUI) x {server analysis, local
// analysis, pose, several faces}, each sent to a mock that answers as that frontend's source does.

type Unit = { module: string; model: string; image?: string; ipadapter_input?: string[]; resize_mode: string };
let a1111: MockA1111 | undefined;
let comfy: MockComfy | undefined;
afterEach(async () => {
  await a1111?.close();
  await comfy?.close();
  a1111 = comfy = undefined;
});

async function run(list: Parameters<typeof runCli>[0], argv: string[], code = 0): Promise<{ out: string; err: string }> {
  const { io, out, err } = captureIo();
  expect(await runCli(list, argv, io), err()).toBe(code);
  return { out: out(), err: err() };
}

const unitsOf = (body: Record<string, unknown>) => (body.alwayson_scripts as { controlnet: { args: Unit[] } }).controlnet.args;
const common = ["--prompt", "p", "--steps", "2", "--seed", "1", "--identitynet-scale", "0.6"];

async function photo(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, await texturedPng(96, 96));
  return path;
}

/** The centre of each keypoint's disc (its pure colour, drawn last) in a keypoint image. */
function discCentres(image: RgbImage): FiveKeypoints {
  const colours = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [255, 255, 0],
    [255, 0, 255],
  ];
  return colours.map(([r, g, b]) => {
    let [sx, sy, n] = [0, 0, 0];
    for (let p = 0; p < image.width * image.height; p++) {
      if (image.data[p * 3] === r && image.data[p * 3 + 1] === g && image.data[p * 3 + 2] === b)
        [sx, sy, n] = [sx + (p % image.width), sy + Math.floor(p / image.width), n + 1];
    }
    return [sx / n, sy / n];
  }) as unknown as FiveKeypoints;
}
/** Mouth-to-eyes height over eye distance: a squash changes it. */
const proportion = (k: FiveKeypoints) => (k[3][1] - k[0][1]) / (k[1][0] - k[0][0]);

describe("server analysis (one face photo, no face models)", () => {
  it("A1111 + sd-webui-controlnet: the photo to both InstantID units", async () => {
    a1111 = await startMockA1111();
    const dir = await tempDir();
    await run(commands, [
      "a1111",
      "txt2img",
      "--url",
      a1111.url,
      "--face",
      await photo(dir, "f.png"),
      ...common,
      "--size",
      "512x512",
      "-o",
      join(dir, "o.png"),
    ]);
    expect(unitsOf(a1111.generations[0]).map((u) => [u.module, u.model, u.resize_mode])).toEqual([
      ["instant_id_face_embedding", "ip-adapter_instant_id_sdxl [eb2d3ec0]", "Crop and Resize"],
      ["instant_id_face_keypoints", "control_instant_id_sdxl [c5c25a35]", "Resize and Fill"],
    ]);
  });

  it("Forge: its own embedding module and the models by their listed names, hashes included", async () => {
    a1111 = await startMockA1111({ flavour: "forge" });
    const dir = await tempDir();
    await run(commands, [
      "a1111",
      "txt2img",
      "--url",
      a1111.url,
      "--face",
      await photo(dir, "f.png"),
      ...common,
      "--size",
      "512x512",
      "-o",
      join(dir, "o.png"),
    ]);
    expect(unitsOf(a1111.generations[0]).map((u) => [u.module, u.model])).toEqual([
      ["InsightFace (InstantID)", "ip-adapter_instant_id_sdxl [eb2d3ec0]"],
      ["instant_id_face_keypoints", "control_instant_id_sdxl [c5c25a35]"],
    ]);
  });

  it("SD.Next: the face script gets strength and conditioning in its own parameters, for each script signature", async () => {
    for (const faceScript of [14, 16, 17] as const) {
      a1111 = await startMockA1111({ flavour: "sdnext", faceScript });
      const dir = await tempDir();
      await run(commands, [
        "a1111",
        "txt2img",
        "--url",
        a1111.url,
        "--face",
        await photo(dir, "f.png"),
        ...common,
        "--adapter-scale",
        "0.7",
        "--size",
        "512x512",
        "-o",
        join(dir, "o.png"),
      ]);
      expect(a1111.faceRuns[0]).toMatchObject({ mode: "InstantID", id_strength: 0.7, id_conditioning: 0.6, id_cache: true });
      await a1111.close();
      a1111 = undefined;
    }
  });

  it("ComfyUI: the photo uploaded and analysed by the Apply node, no image_kps", async () => {
    comfy = await startMockComfy();
    const dir = await tempDir();
    await run(commands, [
      "comfyui",
      "txt2img",
      "--url",
      comfy.url,
      "--face",
      await photo(dir, "f.png"),
      ...common,
      "--size",
      "512x512",
      "-o",
      join(dir, "o.png"),
    ]);
    const apply = Object.values(comfy.prompts[0]).find((n) => n.class_type === "ApplyInstantIDAdvanced")!;
    expect(apply.inputs.image_kps).toBeUndefined();
    expect(apply.inputs.cn_strength).toBe(0.6);
  });
});

describe("several faces", () => {
  const two = async (dir: string) => [
    "--face",
    await photo(dir, "a.png"),
    "--face",
    await photo(dir, "b.png"),
    "--models",
    "models",
    ...common,
    "--size",
    "1024x512",
  ];

  it(
    "A1111 + sd-webui-controlnet: four units, sent when control_net_unit_count allows them, refused with the setting named when " + "not",
    async () => {
      const dir = await tempDir();
      const bridge = [a1111Txt2ImgCommand(fakeGroupAnalysis([0.5]))];
      a1111 = await startMockA1111({ unitCount: 4 });
      await run(bridge, ["a1111", "txt2img", "--url", a1111.url, ...(await two(dir)), "-o", join(dir, "o.png")]);
      expect(a1111.usedUnits[0]).toHaveLength(4);
      await a1111.close();
      a1111 = await startMockA1111();
      const { err } = await run(bridge, ["a1111", "txt2img", "--url", a1111.url, ...(await two(dir)), "-o", join(dir, "o.png")], 1);
      expect(err).toMatch(/control_net_unit_count.*at least 4.*restart the server.*\[SERVER_SETTING\]/);
      expect(a1111.counts.generationAttempts).toBe(0);
      const { out } = await run(bridge, ["a1111", "txt2img", ...(await two(dir)), "--dry-run", join(dir, "r.json")]);
      expect(out).toMatch(/4 ControlNet units: the server's control_net_unit_count .* must be at least 4/);
    },
  );

  it("Forge: refused, naming why (each InstantID unit feeds every ControlNet) and where several identities work", async () => {
    a1111 = await startMockA1111({ flavour: "forge" });
    const dir = await tempDir();
    const { err } = await run(
      [a1111Txt2ImgCommand(fakeGroupAnalysis([0.5]))],
      ["a1111", "txt2img", "--url", a1111.url, ...(await two(dir)), "-o", join(dir, "o.png")],
      2,
    );
    expect(err).toMatch(/Forge cannot keep 2 identities apart.*cross-attention input of every ControlNet.*A1111 with sd-webui-controlnet/);
    expect(err).toMatch(/A1111 with sd-webui-controlnet, ComfyUI.*local runner.*\[INVALID_OPTION\]/);
    expect(a1111.counts.generationAttempts).toBe(0);
  });

  it("SD.Next: refused, its face script takes one identity", async () => {
    a1111 = await startMockA1111({ flavour: "sdnext" });
    const dir = await tempDir();
    const { err } = await run(
      [a1111Txt2ImgCommand(fakeGroupAnalysis([0.5]))],
      ["a1111", "txt2img", "--url", a1111.url, ...(await two(dir)), "-o", join(dir, "o.png")],
      2,
    );
    expect(err).toMatch(/SD.Next's face script takes one identity/);
  });

  it("ComfyUI: one Apply node per face with its keypoint image and mask, accepted and run", async () => {
    comfy = await startMockComfy();
    const dir = await tempDir();
    await run(
      [comfyuiTxt2ImgCommand(fakeGroupAnalysis([0.5]))],
      ["comfyui", "txt2img", "--url", comfy.url, ...(await two(dir)), "-o", join(dir, "o.png")],
    );
    expect(Object.values(comfy.prompts[0]).filter((n) => n.class_type === "ApplyInstantIDAdvanced")).toHaveLength(2);
  });
});

describe("dry runs a replay can send", () => {
  it("a Forge dry run asks the server for the hashed model names, and refuses to guess them without --url", async () => {
    a1111 = await startMockA1111({ flavour: "forge" });
    const dir = await tempDir();
    const face = await photo(dir, "f.png");
    const request = join(dir, "r.json");
    await run(commands, ["a1111", "txt2img", "--url", a1111.url, "--face", face, ...common, "--size", "512x512", "--dry-run", request]);
    expect(a1111.counts.generationAttempts).toBe(0);
    const body = JSON.parse(await readFile(request, "utf8"));
    expect(unitsOf(body).map((u) => u.model)).toEqual(["ip-adapter_instant_id_sdxl [eb2d3ec0]", "control_instant_id_sdxl [c5c25a35]"]);
    const replay = await fetch(`${a1111.url}/sdapi/v1/txt2img`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });
    expect(replay.status).toBe(200);
    const { err } = await run(commands, ["a1111", "txt2img", "--flavour", "forge", "--face", face, ...common, "--dry-run", request], 2);
    expect(err).toMatch(/hash.*for --url/);
  });

  it("a ComfyUI dry run writes its uploads beside the workflow, under the names it loads, so uploading them and queueing it works", async () => {
    const dir = await tempDir();
    const graph = join(dir, "graph.json");
    const { out } = await run(
      [comfyuiTxt2ImgCommand(fakeGroupAnalysis([0.5]))],
      [
        "comfyui",
        "txt2img",
        "--face",
        await photo(dir, "a.png"),
        "--face",
        await photo(dir, "b.png"),
        "--models",
        "models",
        ...common,
        "--size",
        "1024x512",
        "--dry-run",
        graph,
      ],
    );
    const prompt = JSON.parse(await readFile(graph, "utf8")) as ApiPrompt;
    const names = [
      ...new Set(
        Object.values(prompt)
          .filter((n) => n.class_type.startsWith("LoadImage"))
          .map((n) => n.inputs.image as string),
      ),
    ];
    expect(out).toContain(`its ${names.length} upload(s) beside it`);
    comfy = await startMockComfy();
    for (const name of names) {
      const form = new FormData();
      form.append("image", new Blob([await readFile(join(dir, name))]), name);
      expect((await fetch(`${comfy.url}/upload/image`, { method: "POST", body: form })).status).toBe(200);
    }
    const queued = await fetch(`${comfy.url}/prompt`, {
      method: "POST",
      body: JSON.stringify({ prompt }),
      headers: { "content-type": "application/json" },
    });
    expect(queued.status, await queued.clone().text()).toBe(200);
  });
});

describeShared("local analysis and pose with the real face models", "real/models/models.json", () => {
  const models = sharedPath("real", "models");
  const obama = sharedPath("real", "images", "obama_1.jpg");
  const hopkins = sharedPath("real", "images", "hopkins_1.jpg");
  const local = ["--models", models, "--face", obama, ...common];

  it("A1111 + sd-webui-controlnet: the embedding as ipadapter_input, our keypoint image with none", async () => {
    a1111 = await startMockA1111();
    const dir = await tempDir();
    await run(commands, ["a1111", "txt2img", "--url", a1111.url, ...local, "--size", "512x512", "-o", join(dir, "o.png")]);
    expect(unitsOf(a1111.generations[0]).map((u) => [u.module, Boolean(u.ipadapter_input)])).toEqual([
      ["instant_id_face_embedding", true],
      ["none", false],
    ]);
  });

  it("Forge: the keypoint image with Forge's own None, which the server accepts", async () => {
    a1111 = await startMockA1111({ flavour: "forge" });
    const dir = await tempDir();
    await run(commands, ["a1111", "txt2img", "--url", a1111.url, ...local, "--size", "512x512", "-o", join(dir, "o.png")]);
    expect(unitsOf(a1111.generations[0]).map((u) => u.module)).toEqual(["InsightFace (InstantID)", "None"]);
  });

  it("SD.Next: the face script still analyses the photo itself", async () => {
    a1111 = await startMockA1111({ flavour: "sdnext" });
    const dir = await tempDir();
    await run(commands, ["a1111", "txt2img", "--url", a1111.url, ...local, "--size", "512x512", "-o", join(dir, "o.png")]);
    expect(a1111.faceRuns[0]).toMatchObject({ mode: "InstantID", id_conditioning: 0.6 });
  });

  it("ComfyUI: our keypoint image uploaded as image_kps", async () => {
    comfy = await startMockComfy();
    const dir = await tempDir();
    await run(commands, ["comfyui", "txt2img", "--url", comfy.url, ...local, "--size", "512x512", "-o", join(dir, "o.png")]);
    expect([...comfy.uploads.keys()].some((n) => n.startsWith("instantid-kps-"))).toBe(true);
  });

  it("without --pose the face keeps its proportions and its place in its photo (fitted whole, centred)", async () => {
    const dir = await tempDir();
    const request = join(dir, "r.json");
    await run(commands, ["a1111", "txt2img", ...local, "--size", "1024x512", "--dry-run", request]);
    const drawn = discCentres(await loadImage(Buffer.from(unitsOf(JSON.parse(await readFile(request, "utf8")))[1].image!, "base64")));
    const image = await loadImage(obama);
    const face = largestFace(await (await FaceAnalysis.create({ models })).analyze(image));
    const expected = fitKeypoints(face.kps, image, { width: 1024, height: 512 });
    drawn.forEach(([x, y], i) => {
      expect(x).toBeCloseTo(Math.trunc(expected[i][0]), 0);
      expect(y).toBeCloseTo(Math.trunc(expected[i][1]), 0);
    });
  });

  it("a portrait pose photo on a landscape canvas keeps the face's proportions, on every flavour that takes a pose", async () => {
    const image = await loadImage(hopkins);
    const posed = largestFace(await (await FaceAnalysis.create({ models })).analyze(image));
    const dir = await tempDir();
    const request = join(dir, "r.json");
    await run(commands, ["a1111", "txt2img", ...local, "--pose", hopkins, "--size", "1024x512", "--dry-run", request]);
    const keypoints = await loadImage(Buffer.from(unitsOf(JSON.parse(await readFile(request, "utf8")))[1].image!, "base64"));
    expect(proportion(discCentres(keypoints)) / proportion(posed.kps)).toBeCloseTo(1, 1);
    const graph = join(dir, "g.json");
    await run(commands, ["comfyui", "txt2img", ...local, "--pose", hopkins, "--size", "1024x512", "--dry-run", graph]);
    const kpsName = Object.values(JSON.parse(await readFile(graph, "utf8")) as ApiPrompt)
      .map((n) => n.inputs.image)
      .find((n) => String(n).startsWith("instantid-kps-"));
    expect(proportion(discCentres(await loadImage(join(dir, String(kpsName))))) / proportion(posed.kps)).toBeCloseTo(1, 1);
  });

  it("without --size a pose photo sets the size to its working size (InstantID's resize_img)", async () => {
    const dir = await tempDir();
    const request = join(dir, "r.json");
    await run(commands, ["a1111", "txt2img", ...local, "--pose", hopkins, "--dry-run", request]);
    const body = JSON.parse(await readFile(request, "utf8"));
    expect({ width: body.width, height: body.height }).toEqual(workingSize(await loadImage(hopkins)));
    expect(Math.max(body.width, body.height)).toBe(1280);
  });

  it("server analysis of a pose: A1111 and Forge fit the pose photo whole (Resize and Fill); SD.Next refuses a pose", async () => {
    const dir = await tempDir();
    const request = join(dir, "r.json");
    await run(commands, ["a1111", "txt2img", "--face", obama, "--pose", hopkins, ...common, "--size", "1024x512", "--dry-run", request]);
    const [, net] = unitsOf(JSON.parse(await readFile(request, "utf8")));
    expect([net.module, net.resize_mode, net.image]).toEqual([
      "instant_id_face_keypoints",
      "Resize and Fill",
      (await readFile(hopkins)).toString("base64"),
    ]);
    const { err } = await run(
      commands,
      ["a1111", "txt2img", "--flavour", "sdnext", "--face", obama, "--pose", hopkins, ...common, "--dry-run", request],
      2,
    );
    expect(err).toMatch(/no --pose with SD.Next/);
  });
});
