import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ControlNetUnit } from "../../../../adapters/a1111/index.js";
import { a1111Txt2ImgCommand } from "../../../../adapters/cli/commands/a1111.js";
import { composeCommand } from "../../../../adapters/cli/commands/compose.js";
import { identityCreateCommand } from "../../../../adapters/cli/commands/identity-create.js";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { a1111ComposeBackend } from "../../../../adapters/cli/compose/a1111-backend.js";
import type { OpenFaceAnalysis } from "../../../../adapters/cli/face-analysis.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { createIdentity, FaceAnalysis, loadImage, saveIdentity } from "../../../../core/index.js";
import { describeShared, sharedPath, tempDir } from "../../../helpers/shared.js";
import { startMockA1111, type MockA1111 } from "../../../mocks/a1111-server.js";
import { decodeBase64Image, pngOf, texturedPng } from "../../../mocks/image-check.js";
import { captureIo } from "./capture.js";
import { fakeGroupAnalysis } from "./fake-analysis.js";

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
    const code = await runCli(
      commands,
      [
        "a1111",
        "txt2img",
        "--face",
        await facePhoto(dir),
        "--prompt",
        "a portrait",
        "--size",
        "768x512",
        "--seed",
        "5",
        "--identitynet-scale",
        "0.6",
        "--dry-run",
        request,
      ],
      io,
    );
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
    const code = await runCli(
      commands,
      [
        "a1111",
        "txt2img",
        "--url",
        server.url,
        "--face",
        await facePhoto(dir),
        "--prompt",
        "p",
        "--size",
        "512x512",
        "--steps",
        "10",
        "--seed",
        "3",
        "-o",
        target,
      ],
      io,
    );
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
    const code = await runCli(
      commands,
      [
        "a1111",
        "txt2img",
        "--url",
        server.url,
        "--face",
        await facePhoto(dir, "flat.png", await pngOf(64, 64)),
        "--prompt",
        "p",
        "--size",
        "512x512",
        "-o",
        join(dir, "o.png"),
      ],
      io,
    );
    expect(code).toBe(1);
    expect(err()).toContain("Insightface: No face found");
  });

  it("sends an identity file's averaged embeddings and its keypoints, with no photo and no face models", async () => {
    server = await startMockA1111();
    const dir = await tempDir();
    const a = Float32Array.from({ length: 512 }, (_, i) => i / 100);
    const b = Float32Array.from({ length: 512 }, (_, i) => 1 - i / 100);
    const kps = [
      [40, 50],
      [60, 50],
      [50, 60],
      [42, 70],
      [58, 70],
    ] as const;
    const file = join(dir, "me.identity.safetensors");
    await saveIdentity(
      file,
      createIdentity([
        { embedding: a, kps, width: 100, height: 100 },
        { embedding: b, kps, width: 100, height: 100 },
      ]),
    );
    const { io, err } = captureIo();
    const code = await runCli(
      commands,
      ["a1111", "txt2img", "--url", server.url, "--identity", file, "--prompt", "p", "--size", "512x512", "-o", join(dir, "o.png")],
      io,
    );
    expect(err()).not.toContain("txt2img:");
    expect(code).toBe(0);
    expect([...server.embeddings[0]]).toEqual([...a].map((v, i) => Math.fround((v + b[i]) / 2)));
    const [adapter, net] = unitsOf(server.generations[0]);
    expect(adapter.image).toBeUndefined();
    expect(net.module).toBe("none");
  });

  it("sends a concat identity file's references as one ipadapter_input blob, the Resampler's [1, N, 512] input", async () => {
    server = await startMockA1111();
    const dir = await tempDir();
    const a = new Float32Array(512).fill(1);
    const b = new Float32Array(512).fill(2);
    const kps = [
      [40, 50],
      [60, 50],
      [50, 60],
      [42, 70],
      [58, 70],
    ] as const;
    const file = join(dir, "me.identity.safetensors");
    await saveIdentity(
      file,
      createIdentity(
        [
          { embedding: a, kps, width: 100, height: 100 },
          { embedding: b, kps, width: 100, height: 100 },
        ],
        { combine: "concat" },
      ),
    );
    const { io, err } = captureIo();
    expect(
      await runCli(
        commands,
        ["a1111", "txt2img", "--url", server.url, "--identity", file, "--prompt", "p", "--size", "512x512", "-o", join(dir, "o.png")],
        io,
      ),
      err(),
    ).toBe(0);
    expect(unitsOf(server.generations[0])[0].ipadapter_input).toHaveLength(1);
    expect([...server.embeddings[0]]).toEqual([...a, ...b]);
  });

  it("refuses an identity file for Forge, which needs the photo", async () => {
    server = await startMockA1111({ flavour: "forge" });
    const dir = await tempDir();
    const file = join(dir, "me.identity.safetensors");
    const kps = [
      [40, 50],
      [60, 50],
      [50, 60],
      [42, 70],
      [58, 70],
    ] as const;
    await saveIdentity(file, createIdentity([{ embedding: new Float32Array(512).fill(1), kps, width: 100, height: 100 }]));
    const { io, err } = captureIo();
    expect(
      await runCli(
        commands,
        ["a1111", "txt2img", "--url", server.url, "--identity", file, "--prompt", "p", "--size", "512x512", "-o", join(dir, "o.png")],
        io,
      ),
    ).toBe(1);
    expect(err()).toContain("The forge server analyses faces itself and needs the photo");
  });

  it("refuses --pose for SD.Next, whose face script takes the keypoints from the face photo, before anything is analysed", async () => {
    const dir = await tempDir();
    const face = await facePhoto(dir);
    const { io, err } = captureIo();
    const args = [
      "a1111",
      "txt2img",
      "--flavour",
      "sdnext",
      "--face",
      face,
      "--pose",
      face,
      "--prompt",
      "p",
      "--size",
      "512x512",
      "--dry-run",
      join(dir, "r.json"),
    ];
    expect(await runCli(commands, args, io)).toBe(2);
    expect(err()).toMatch(/no --pose with SD.Next/);
  });

  it("rejects a bad --size and a missing --url at the boundary", async () => {
    const dir = await tempDir();
    const face = await facePhoto(dir);
    const a = captureIo();
    expect(
      await runCli(
        commands,
        ["a1111", "txt2img", "--face", face, "--prompt", "p", "--size", "1000x7", "--dry-run", join(dir, "r.json")],
        a.io,
      ),
    ).toBe(2);
    expect(a.err()).toContain("Expected WxH, multiples of 8 between 64 and 4096 for --size");
    const b = captureIo();
    expect(await runCli(commands, ["a1111", "txt2img", "--face", face, "--prompt", "p"], b.io)).toBe(2);
    expect(b.err()).toContain("Expected --url");
  });
});

/** Runs one command line with `commands`, expecting `code`; returns what it wrote to stderr. */
async function run(list: Parameters<typeof runCli>[0], argv: string[], code = 0): Promise<string> {
  const { io, err } = captureIo();
  expect(await runCli(list, argv, io), err()).toBe(code);
  return err();
}

/** `instantid identity create` of each photo with `analysis`: the identities `compose` needs to match a bridge call on those photos. */
async function identitiesOf(dir: string, photos: readonly string[], analysis: OpenFaceAnalysis): Promise<string[]> {
  const files = photos.map((_, i) => join(dir, `id${i}.identity.safetensors`));
  for (const [i, photo] of photos.entries())
    await run([identityCreateCommand(analysis)], ["identity", "create", photo, "--models", "models", "-o", files[i]]);
  return files;
}

/** The `compose` options of the bridges' default layout at 1024x512: two side-by-side columns. */
const columns = (files: readonly string[]) => [
  "--identity",
  files[0],
  "--region",
  "0,0,512,512",
  "--identity",
  files[1],
  "--region",
  "512,0,1024,512",
];
const shared = ["--prompt", "two friends", "--size", "1024x512", "--seed", "5", "--identitynet-scale", "0.6"];

describe("instantid a1111 txt2img with several identities", () => {
  it(
    "--dry-run writes the same request as instantid compose --backend a1111 with side-by-side regions (identity files, no face " +
      "models)",
    async () => {
      const dir = await tempDir();
      const files = [join(dir, "a.identity.safetensors"), join(dir, "b.identity.safetensors")];
      const kps = [
        [40, 50],
        [60, 50],
        [50, 60],
        [42, 70],
        [58, 70],
      ] as const;
      for (const [i, file] of files.entries())
        await saveIdentity(file, createIdentity([{ embedding: new Float32Array(512).fill(i + 1), kps, width: 100, height: 100 }]));
      const [bridge, compose] = [join(dir, "bridge.json"), join(dir, "compose.json")];
      await run(commands, ["a1111", "txt2img", "--identity", files[0], "--identity", files[1], ...shared, "--dry-run", bridge]);
      await run(commands, ["compose", ...columns(files), ...shared, "--backend", "a1111", "--dry-run", compose]);
      const body = JSON.parse(await readFile(bridge, "utf8"));
      expect(body).toEqual(JSON.parse(await readFile(compose, "utf8")));
      const units = unitsOf(body);
      expect(units.map((u) => u.weight)).toEqual([0.8, 0.6, 0.8, 0.6]);
      expect(units[0].effective_region_mask).not.toBe(units[2].effective_region_mask);
    },
  );

  it("analyses face photos here and sends the request compose sends for identity files made from them, each photo included", async () => {
    const dir = await tempDir();
    const analysis = fakeGroupAnalysis([0.5]);
    const photos = [await facePhoto(dir, "a.png"), await facePhoto(dir, "b.png")];
    const files = await identitiesOf(dir, photos, analysis);
    const [bridge, compose] = [join(dir, "bridge.json"), join(dir, "compose.json")];
    await run(
      [a1111Txt2ImgCommand(analysis)],
      ["a1111", "txt2img", "--face", photos[0], "--face", photos[1], "--models", "models", ...shared, "--dry-run", bridge],
    );
    await run(
      [composeCommand(analysis, { a1111: a1111ComposeBackend })],
      ["compose", ...columns(files), "--face", photos[0], "--face", photos[1], ...shared, "--backend", "a1111", "--dry-run", compose],
    );
    expect(JSON.parse(await readFile(bridge, "utf8"))).toEqual(JSON.parse(await readFile(compose, "utf8")));
  });

  it("prints the composition's warnings: a pose face outside its column", async () => {
    const dir = await tempDir();
    const args = [
      "--face",
      await facePhoto(dir, "a.png"),
      "--face",
      await facePhoto(dir, "b.png"),
      "--pose",
      await facePhoto(dir, "pose.png"),
      "--models",
      "models",
    ];
    const err = await run(
      [a1111Txt2ImgCommand(fakeGroupAnalysis([0.1, 0.3]))],
      ["a1111", "txt2img", ...args, ...shared, "--dry-run", join(dir, "r.json")],
    );
    expect(err).toMatch(/^warning \[KEYPOINTS_OUTSIDE_REGION\]: identity 2 \(.*b\.png\): .* outside its region/);
  });

  it("refuses several face photos without --models, which the layout needs", async () => {
    const dir = await tempDir();
    const err = await run(
      commands,
      [
        "a1111",
        "txt2img",
        "--face",
        await facePhoto(dir, "a.png"),
        "--face",
        await facePhoto(dir, "b.png"),
        ...shared,
        "--dry-run",
        join(dir, "r.json"),
      ],
      2,
    );
    expect(err).toContain("--models");
    expect(err).toContain("[INVALID_OPTION]");
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
    const code = await runCli(
      commands,
      [
        "a1111",
        "txt2img",
        "--url",
        server.url,
        "--models",
        models,
        "--face",
        obama,
        "--prompt",
        "p",
        "--size",
        "640x768",
        "-o",
        join(dir, "o.png"),
      ],
      io,
    );
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
    expect(
      await runCli(
        commands,
        [
          "a1111",
          "txt2img",
          "--models",
          models,
          "--face",
          obama,
          "--face",
          biden,
          "--prompt",
          "p",
          "--size",
          "1024x512",
          "--dry-run",
          request,
        ],
        io,
      ),
    ).toBe(0);
    const units = unitsOf(JSON.parse(await readFile(request, "utf8")));
    expect(units).toHaveLength(4);
    expect(units[0].effective_region_mask).toBe(units[1].effective_region_mask);
    expect(units[0].effective_region_mask).not.toBe(units[2].effective_region_mask);
    expect(units.every((u) => typeof u.effective_region_mask === "string")).toBe(true);
  });

  it("takes the keypoints from a two-person pose photo left to right, as compose does", async () => {
    const dir = await tempDir();
    const pose = sharedPath("real", "images", "two_people.jpg");
    const files = await identitiesOf(dir, [obama, biden], async () => ({ analyzer: await FaceAnalysis.create({ models }), models: [] }));
    const [bridge, compose] = [join(dir, "bridge.json"), join(dir, "compose.json")];
    await run(commands, [
      "a1111",
      "txt2img",
      "--face",
      obama,
      "--face",
      biden,
      "--pose",
      pose,
      "--models",
      models,
      ...shared,
      "--dry-run",
      bridge,
    ]);
    await run(commands, [
      "compose",
      ...columns(files),
      "--face",
      obama,
      "--face",
      biden,
      "--pose",
      pose,
      "--models",
      models,
      ...shared,
      "--backend",
      "a1111",
      "--dry-run",
      compose,
    ]);
    const body = JSON.parse(await readFile(bridge, "utf8"));
    expect(body).toEqual(JSON.parse(await readFile(compose, "utf8")));
    // two_people.jpg (1126x661) fitted whole into 1024x512: scale 512/661, 872 px wide, 76 px in. The left
    // face's left eye near (291.6, 95.6) is drawn red near (301.9, 74.0), not squashed to (265, 74).
    const keypoints = await loadImage(Buffer.from(unitsOf(body)[1].image!, "base64"));
    expect([...keypoints.data.subarray((74 * 1024 + 301) * 3, (74 * 1024 + 301) * 3 + 3)]).toEqual([255, 0, 0]);
  });

  it("refuses three identities for a pose photo with two faces (NO_FACE)", async () => {
    const dir = await tempDir();
    const three = ["--face", obama, "--face", biden, "--face", sharedPath("real", "images", "hopkins_1.jpg")];
    const err = await run(
      commands,
      [
        "a1111",
        "txt2img",
        ...three,
        "--pose",
        sharedPath("real", "images", "two_people.jpg"),
        "--models",
        models,
        ...shared,
        "--dry-run",
        join(dir, "r.json"),
      ],
      1,
    );
    expect(err).toContain("The pose photo shows 2 face(s) but 3 identities take their keypoints from it");
    expect(err).toContain("[NO_FACE]");
  });
});
