import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kpsCommand } from "../../../../adapters/cli/commands/kps.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { loadImage, savePng } from "../../../../core/image/io.js";
import { tempDir } from "../../../helpers/shared.js";
import { fakeFaceAnalysis } from "./fake-analysis.js";
import { captureIo } from "./capture.js";

async function photo(dir: string, name: string, width: number, height: number): Promise<string> {
  const path = join(dir, name);
  await savePng(path, { width, height, data: new Uint8Array(width * height * 3).fill(90) });
  return path;
}

const commands = [kpsCommand(fakeFaceAnalysis)];

describe("instantid kps", () => {
  it("writes a keypoint image the size of the photo, and a preview", async () => {
    const dir = await tempDir();
    const me = await photo(dir, "me.png", 200, 100);
    const { io, out } = captureIo();
    const code = await runCli(commands, ["kps", me, "--models", dir, "-o", join(dir, "kps.png"), "--preview", join(dir, "check.png")], io);
    expect(code).toBe(0);
    const kps = await loadImage(join(dir, "kps.png"));
    expect([kps.width, kps.height]).toEqual([200, 100]);
    const at = (x: number, y: number) => [...kps.data.subarray((y * 200 + x) * 3, (y * 200 + x) * 3 + 3)];
    expect(at(70, 40)).toEqual([255, 0, 0]);
    expect((await loadImage(join(dir, "check.png"))).width).toBe(200);
    expect(out()).toContain("200x100");
  });

  it("takes keypoints and canvas from --pose, scaled to --working-size", async () => {
    const dir = await tempDir();
    const me = await photo(dir, "me.png", 50, 50);
    const pose = await photo(dir, "pose.png", 300, 200);
    const { io } = captureIo();
    expect(await runCli(commands, ["kps", me, "--pose", pose, "--working-size", "--models", dir, "-o", join(dir, "kps.png")], io)).toBe(0);
    const kps = await loadImage(join(dir, "kps.png"));
    expect([kps.width, kps.height]).toEqual([1280, 832]);
  });

  it("scales keypoints to --size and rejects a malformed size", async () => {
    const dir = await tempDir();
    const me = await photo(dir, "me.png", 100, 100);
    const a = captureIo();
    expect(await runCli(commands, ["kps", me, "--size", "64x32", "--models", dir, "-o", join(dir, "kps.png")], a.io)).toBe(0);
    expect((await loadImage(join(dir, "kps.png"))).height).toBe(32);
    const b = captureIo();
    expect(await runCli(commands, ["kps", me, "--size", "0x32", "--models", dir, "-o", join(dir, "k2.png")], b.io)).toBe(2);
    expect(b.err()).toContain("INVALID_OPTION");
  });

  it("fits the photo whole into a --size of another aspect with one scale factor, centred, so the face is not squashed", async () => {
    const dir = await tempDir();
    const me = await photo(dir, "me.png", 100, 100);
    const { io } = captureIo();
    expect(await runCli(commands, ["kps", me, "--size", "200x100", "--models", dir, "-o", join(dir, "kps.png")], io)).toBe(0);
    const kps = await loadImage(join(dir, "kps.png"));
    const at = (x: number, y: number) => [...kps.data.subarray((y * 200 + x) * 3, (y * 200 + x) * 3 + 3)];
    expect(at(85, 40)).toEqual([255, 0, 0]); // the left eye at (35, 40), 50 px in; a per-axis stretch would put it at (70, 40)
    expect(at(115, 40)).toEqual([0, 255, 0]);
  });

  it("fails with an actionable message when --out is missing", async () => {
    const { io, err } = captureIo();
    expect(await runCli(commands, ["kps", "me.png", "--models", "m"], io)).toBe(2);
    expect(err()).toContain("--out");
  });
});
