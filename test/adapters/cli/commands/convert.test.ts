import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { writeRandomControlNet } from "../../../../core/synthetic/random-checkpoint.js";
import { loadControlNet } from "../../../../core/controlnet/controlnet-model.js";
import { tempDir } from "../../../helpers/shared.js";
import { REFERENCE_CONFIGS } from "../../../core/convert/reference-cases.js";
import { captureIo } from "./capture.js";

async function controlNetFolder(): Promise<string> {
  const dir = join(await tempDir(), "ControlNetModel");
  await writeRandomControlNet(dir, REFERENCE_CONFIGS.published.config);
  return dir;
}

describe("instantid convert identitynet", () => {
  it("writes OUTPUT and OUTPUT.data with a progress report, and the SDK loads the result as an IdentityNet", async () => {
    const dir = await controlNetFolder();
    const out = await tempDir();
    const output = join(out, "identitynet.onnx");
    const cli = captureIo();
    expect(await runCli(commands, ["convert", "identitynet", dir, "-o", output, "--dtype", "fp32"], cli.io)).toBe(0);
    expect(cli.out()).toContain(`wrote ${output} and ${output}.data (322 tensors`);
    expect(cli.out()).toContain("fp32");
    expect(cli.err()).toMatch(/convert 322\/322 .* \(100%\)/);
    expect((await readdir(out)).sort()).toEqual(["identitynet.onnx", "identitynet.onnx.data"]);
    expect((await loadControlNet(output)).residuals.mid).toBe("mid_block_res_sample");
  });

  it("exits non-zero naming the config key it cannot convert, and writes nothing", async () => {
    const dir = await controlNetFolder();
    const config = JSON.parse(await readFile(join(dir, "config.json"), "utf8"));
    await writeFile(join(dir, "config.json"), JSON.stringify({ ...config, resnet_time_scale_shift: "scale_shift" }));
    const out = await tempDir();
    const cli = captureIo();
    expect(await runCli(commands, ["convert", "identitynet", dir, "-o", join(out, "x.onnx")], cli.io)).not.toBe(0);
    expect(cli.err()).toContain('config key "resnet_time_scale_shift" is not supported');
    expect(await readdir(out)).toEqual([]);
  });

  it("refuses a --dtype other than fp16 or fp32", async () => {
    const cli = captureIo();
    expect(await runCli(commands, ["convert", "identitynet", await controlNetFolder(), "--dtype", "bf16"], cli.io)).not.toBe(0);
    expect(cli.err()).toContain('Expected fp16 or fp32 for --dtype but received "bf16"');
  });
});
