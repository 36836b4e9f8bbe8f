import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { readSafetensors } from "../../../../core/tensor/safetensors.js";
import { describeShared, sharedPath, tempDir } from "../../../helpers/shared.js";
import { captureIo } from "./capture.js";

describeShared("instantid analyze", "real/models/models.json", () => {
  const models = sharedPath("real", "models");
  const image = (name: string) => sharedPath("real", "images", name);

  it("prints faces as JSON, largest first, and saves the largest face's raw embedding", async () => {
    const target = join(await tempDir(), "me.safetensors");
    const { io, out } = captureIo();
    const code = await runCli(commands, ["analyze", image("two_people.jpg"), "--models", models, "--json", "--save-embedding", target], io);
    expect(code).toBe(0);
    const [result] = JSON.parse(out()).results;
    expect(result.faces.length).toBe(2);
    const area = (f: { bbox: number[] }) => (f.bbox[2] - f.bbox[0]) * (f.bbox[3] - f.bbox[1]);
    expect(area(result.faces[0])).toBeGreaterThan(area(result.faces[1]));
    const saved = readSafetensors(readFileSync(target)).tensors.get("embedding")!;
    expect(saved.shape).toEqual([512]);
    expect(Math.hypot(...saved.data)).toBeCloseTo(result.faces[0].embeddingNorm, 2);
  });

  it("fails with exit code 1 and writes nothing when one image has no face", async () => {
    const dir = await tempDir();
    const blank = join(dir, "blank.png");
    const { encodePng } = await import("../../../../core/image/io.js");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(blank, await encodePng({ width: 64, height: 64, data: new Uint8Array(64 * 64 * 3) }));
    const target = join(dir, "me.json");
    const { io, err } = captureIo();
    expect(await runCli(commands, ["analyze", image("hopkins_1.jpg"), blank, "--models", models, "--save-embedding", target], io)).toBe(1);
    expect(err()).toContain("NO_FACE");
    expect(existsSync(target)).toBe(false);
  });
});
