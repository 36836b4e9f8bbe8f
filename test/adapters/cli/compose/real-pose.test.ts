import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import type { ControlNetUnit } from "../../../../adapters/a1111/index.js";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { loadImage } from "../../../../core/index.js";
import { describeShared, sharedPath, tempDir } from "../../../helpers/shared.js";
import { captureIo } from "../commands/capture.js";

const models = sharedPath("real/models");
const photo = (name: string) => sharedPath("real/images", name);
const red = (img: { width: number; data: Uint8Array }, x: number, y: number) => [
  ...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3),
];

describeShared("instantid compose with the real face models and a two-person photo", "real/models/models.json", () => {
  it("takes both faces of the group photo left to right, regions around them, and writes the layout and the A1111 request", async () => {
    const dir = await tempDir();
    const [obama, biden] = [join(dir, "obama.identity.safetensors"), join(dir, "biden.identity.safetensors")];
    for (const [out, image] of [
      [obama, "obama_1.jpg"],
      [biden, "biden_1.jpg"],
    ]) {
      const c = captureIo();
      expect(await runCli(commands, ["identity", "create", photo(image), "--models", models, "-o", out], c.io), c.err()).toBe(0);
    }
    const preview = join(dir, "layout.png");
    const request = join(dir, "request.json");
    const { io, err, out } = captureIo();
    const code = await runCli(
      commands,
      [
        "compose",
        "--identity",
        obama,
        "--region",
        "face",
        "--identity",
        biden,
        "--region",
        "face",
        "--pose",
        photo("two_people.jpg"),
        "--models",
        models,
        "--prompt",
        "two presidents",
        "--overlap",
        "reject",
        "--preview",
        preview,
        "--backend",
        "a1111",
        "--dry-run",
        request,
      ],
      io,
    );
    expect(code, err()).toBe(0);
    expect(err()).toBe("");
    expect(out()).toContain("composition 1120x656, 2 identities");
    // two_people.jpg: left face's left eye near (291.6, 95.6), right face's near (848.8, 124.4) (expected.json, within ~1% of a face).
    const layout = await loadImage(preview);
    expect([layout.width, layout.height]).toEqual([1120, 656]);
    // Keypoints are scaled from 1126x661 to 1120x656: (290, 95) and (844, 123).
    expect(red(layout, 290, 95)).toEqual([255, 0, 0]);
    expect(red(layout, 844, 123)).toEqual([255, 0, 0]);
    const body = JSON.parse(await readFile(request, "utf8")) as {
      width: number;
      alwayson_scripts: { controlnet: { args: ControlNetUnit[] } };
    };
    const units = body.alwayson_scripts.controlnet.args;
    expect(units).toHaveLength(4);
    const mask = await loadImage(Buffer.from(units[0].effective_region_mask!, "base64"));
    expect([mask.data[(95 * 1120 + 290) * 3], mask.data[(123 * 1120 + 844) * 3]]).toEqual([255, 0]); // Obama's region holds the left face only
  });
});
