import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { identityCreateCommand } from "../../../../adapters/cli/commands/identity-create.js";
import { identityMixCommand } from "../../../../adapters/cli/commands/identity-mix.js";
import { identityShowCommand } from "../../../../adapters/cli/commands/identity-show.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { loadIdentity } from "../../../../core/identity/file.js";
import { loadImage, savePng } from "../../../../core/image/io.js";
import { tempDir } from "../../../helpers/shared.js";
import { fakeFaceAnalysis } from "./fake-analysis.js";
import { captureIo } from "./capture.js";

async function photo(dir: string, name: string, width: number): Promise<string> {
  const path = join(dir, name);
  await savePng(path, { width, height: 64, data: new Uint8Array(width * 64 * 3).fill(90) });
  return path;
}

const commands = [identityCreateCommand(fakeFaceAnalysis), identityShowCommand, identityMixCommand];

describe("instantid identity", () => {
  it("creates an identity from several photos with the chosen combine mode, models and previews", async () => {
    const dir = await tempDir();
    const photos = [await photo(dir, "a.png", 100), await photo(dir, "b.png", 300)];
    const file = join(dir, "alice.identity.safetensors");
    const { io } = captureIo();
    const code = await runCli(
      commands,
      ["identity", "create", ...photos, "--combine", "concat", "--models", dir, "-o", file, "--preview", join(dir, "p.png")],
      io,
    );
    expect(code).toBe(0);
    const identity = await loadIdentity(file);
    expect(identity.combine).toBe("concat");
    expect(identity.embeddings.map((e) => e[0])).toEqual([1, 3]);
    expect(identity.sources.map((s) => s.width)).toEqual([100, 300]);
    expect(identity.models).toEqual([{ name: "fake-recognizer.onnx", sha256: "00ff" }]);
    expect((await loadImage(join(dir, "p-2.png"))).width).toBe(300);
  });

  it("shows an identity file as text and JSON", async () => {
    const dir = await tempDir();
    const file = join(dir, "a.identity.safetensors");
    await runCli(commands, ["identity", "create", await photo(dir, "a.png", 100), "--models", dir, "-o", file], captureIo().io);
    const text = captureIo();
    expect(await runCli(commands, ["identity", "show", file], text.io)).toBe(0);
    expect(text.out()).toContain("dimension: 8");
    expect(text.out()).toContain("fake-recognizer.onnx");
    const json = captureIo();
    expect(await runCli(commands, ["identity", "show", file, "--json"], json.io)).toBe(0);
    expect(JSON.parse(json.out())).toMatchObject({ references: 1, dimension: 8, combine: "average", tokens: 1 });
  });

  it("mixes two identities with --weights", async () => {
    const dir = await tempDir();
    const [a, b, c] = ["a", "b", "c"].map((n) => join(dir, `${n}.identity.safetensors`));
    await runCli(commands, ["identity", "create", await photo(dir, "a.png", 100), "--models", dir, "-o", a], captureIo().io);
    await runCli(commands, ["identity", "create", await photo(dir, "b.png", 300), "--models", dir, "-o", b], captureIo().io);
    expect(await runCli(commands, ["identity", "mix", a, b, "--weights", "0.7,0.3", "-o", c], captureIo().io)).toBe(0);
    const mixed = await loadIdentity(c);
    expect(mixed.embeddings[0][0]).toBeCloseTo(0.7 * 1 + 0.3 * 3, 5);
  });

  it("reports a corrupt identity file with FILE_CORRUPT and exit code 1", async () => {
    const dir = await tempDir();
    const file = join(dir, "bad.identity.safetensors");
    await writeFile(file, Buffer.from([1, 2, 3]));
    const { io, err } = captureIo();
    expect(await runCli(commands, ["identity", "show", file], io)).toBe(1);
    expect(err()).toContain("FILE_CORRUPT");
  });

  it("rejects an unknown combine mode", async () => {
    const dir = await tempDir();
    const { io, err } = captureIo();
    expect(
      await runCli(
        commands,
        ["identity", "create", await photo(dir, "a.png", 100), "--combine", "median", "--models", dir, "-o", join(dir, "x")],
        io,
      ),
    ).toBe(2);
    expect(err()).toContain("INVALID_OPTION");
  });
});
