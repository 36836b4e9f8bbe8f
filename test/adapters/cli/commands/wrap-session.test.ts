import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../../../../adapters/cli/command.js";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { tempDir } from "../../../helpers/shared.js";

const source = `const unet = await ort.InferenceSession.create("unet.onnx");
const result = await unet.run({ sample, timestep, encoder_hidden_states: hidden });
`;

describe("instantid wrap-session", () => {
  it("shows the change without --apply and makes it with --apply", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "run.mjs"), source);
    const out: string[] = [];
    const io: CliIo = { stdout: (t) => out.push(t), stderr: () => {}, interactive: false };
    expect(await runCli(commands, ["wrap-session", dir], io)).toBe(0);
    expect(out.join("")).toContain(
      'run.mjs:1 (serves run.mjs:2)\n- const unet = await ort.InferenceSession.create("unet.onnx");\n+ const unet = wrapUnetSession(',
    );
    expect(out.join("")).toContain("Run again with --apply");
    expect(await readFile(join(dir, "run.mjs"), "utf8")).toBe(source);
    expect(await runCli(commands, ["wrap-session", "--apply", dir], io)).toBe(0);
    expect(await readFile(join(dir, "run.mjs"), "utf8")).toContain(
      'const unet = wrapUnetSession(await ort.InferenceSession.create("unet.onnx")',
    );
  });
});
