import { join } from "node:path";
import { expect, it } from "vitest";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { identityEmbeds, loadIdentity, loadImage } from "../../../../core/index.js";
import { describeShared, sharedPath, tempDir } from "../../../helpers/shared.js";
import { captureIo } from "./capture.js";

const models = sharedPath("real/models");
const photo = (name: string) => sharedPath("real/images", name);

describeShared("kps and identity commands with the real face models", "real/models/models.json", () => {
  it("instantid kps draws the keypoint image of a real photo at its working size, with a preview", async () => {
    const dir = await tempDir();
    const { io, err } = captureIo();
    const code = await runCli(
      commands,
      ["kps", photo("obama_1.jpg"), "--working-size", "--models", models, "-o", join(dir, "kps.png"), "--preview", join(dir, "check.png")],
      io,
    );
    expect(code, err()).toBe(0);
    const kps = await loadImage(join(dir, "kps.png"));
    expect([kps.width, kps.height]).toEqual([1024, 1280]); // 910x1137 -> short side 1024 -> long side 1280
    expect(kps.data.some((v) => v === 255)).toBe(true);
    expect((await loadImage(join(dir, "check.png"))).width).toBe(910);
  });

  it("instantid kps --pose takes keypoints and canvas from the pose photo", async () => {
    const dir = await tempDir();
    const { io, err } = captureIo();
    const code = await runCli(
      commands,
      ["kps", photo("obama_1.jpg"), "--pose", photo("hopkins_1.jpg"), "--models", models, "-o", join(dir, "kps.png")],
      io,
    );
    expect(code, err()).toBe(0);
    const [kps, pose] = await Promise.all([loadImage(join(dir, "kps.png")), loadImage(photo("hopkins_1.jpg"))]);
    expect([kps.width, kps.height]).toEqual([pose.width, pose.height]);
  });

  it("instantid identity create records two photos' raw 512-d embeddings, keypoints and both model hashes", async () => {
    const dir = await tempDir();
    const file = join(dir, "obama.identity.safetensors");
    const { io, err } = captureIo();
    const code = await runCli(
      commands,
      ["identity", "create", photo("obama_1.jpg"), photo("obama_2.jpg"), "--models", models, "-o", file],
      io,
    );
    expect(code, err()).toBe(0);
    const identity = await loadIdentity(file, { dimension: 512 });
    expect(identity.embeddings).toHaveLength(2);
    expect(identity.sources[0]).toMatchObject({ width: 910, height: 1137 });
    expect(identity.models.map((m) => m.sha256)).toEqual([
      expect.stringMatching(/^[0-9a-f]{64}$/),
      expect.stringMatching(/^[0-9a-f]{64}$/),
    ]);
    expect(identityEmbeds(identity).shape).toEqual([1, 1, 512]);
    const [a, b] = identity.embeddings;
    const cosine = a.reduce((s, v, i) => s + v * b[i], 0) / (Math.hypot(...a) * Math.hypot(...b));
    expect(cosine).toBeGreaterThan(0.4); // the same person in two photos
  });
});
