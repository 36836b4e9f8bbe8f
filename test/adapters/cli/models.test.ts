import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createModelsCheckCommand } from "../../../adapters/cli/commands/models-check.js";
import { createModelsPullCommand } from "../../../adapters/cli/commands/models-pull.js";
import { runCli } from "../../../adapters/cli/run-cli.js";
import { startFileServer, type FileServer } from "../../helpers/file-server.js";
import { tempDir } from "../../helpers/shared.js";
import { fixturePacks } from "../../core/models/fixture-packs.js";
import { captureIo } from "./commands/capture.js";

let server: FileServer | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = undefined;
});

async function setup() {
  const fixture = fixturePacks();
  server = await startFileServer(fixture.served);
  const commands = [createModelsPullCommand(fixture.catalog), createModelsCheckCommand(fixture.catalog)];
  const baseArgs = ["--base-url", server.url, "--antelopev2-base", `${server.url}/mirror/antelopev2`];
  return { fixture, commands, baseArgs, dir: await tempDir() };
}

describe("instantid models pull / check", () => {
  it("pulls every pack with a progress report, then check exits 0 and says the folder is complete", async () => {
    const { commands, baseArgs, dir } = await setup();
    const pull = captureIo();
    expect(await runCli(commands, ["models", "pull", "--dir", dir, ...baseArgs], pull.io)).toBe(0);
    expect(pull.out()).toContain("instantid/ControlNetModel/diffusion_pytorch_model.safetensors: downloaded");
    expect(pull.out()).toContain(join(dir, "antelopev2", "models.json"));
    expect(pull.err()).toMatch(/\[file \d of \d\] downloading antelopev2\/glintr100\.onnx: [\d.]+ [kMG]?B \/ [\d.]+ [kMG]?B.* \(100%\)/);
    const check = captureIo();
    expect(await runCli(commands, ["models", "check", dir], check.io)).toBe(0);
    expect(check.out()).toContain("Complete");
    expect(check.out()).toMatch(/config\.json\s+present, \d+ bytes; no published digest, content checked/);
  });

  it("check exits 1 naming the missing and corrupt files and the pull command that fixes them", async () => {
    const { commands, baseArgs, dir } = await setup();
    await runCli(commands, ["models", "pull", "antelopev2", "--dir", dir, ...baseArgs], captureIo().io);
    await writeFile(join(dir, "antelopev2", "glintr100.onnx"), "garbage");
    const check = captureIo();
    expect(await runCli(commands, ["models", "check", dir], check.io)).toBe(1);
    expect(check.out()).toMatch(/antelopev2\/glintr100\.onnx\s+corrupt: 7 bytes instead of \d+/);
    expect(check.out()).toMatch(/instantid\/ip-adapter\.bin\s+missing/);
    expect(check.out()).toContain(`Fix: instantid models pull all --dir ${dir}`);
  });

  it("pull exits 1 with the HTTP status and the base URL when the server has no such file", async () => {
    const { commands, dir } = await setup();
    const pull = captureIo();
    const code = await runCli(
      commands,
      ["models", "pull", "instantid", "--dir", dir, "--base-url", `${server!.url}/nothing-here`],
      pull.io,
    );
    expect(code).toBe(1);
    expect(pull.err()).toContain("HTTP 404");
    expect(pull.err()).toContain("[NETWORK]");
    expect(existsSync(join(dir, "instantid", "ip-adapter.bin"))).toBe(false);
  });

  it("rejects a bad --retries and an unknown pack with INVALID_OPTION", async () => {
    const { commands, dir } = await setup();
    const retries = captureIo();
    expect(await runCli(commands, ["models", "pull", "--dir", dir, "--retries=-1"], retries.io)).toBe(2);
    expect(retries.err()).toContain("Expected a whole number >= 0 for --retries");
    const pack = captureIo();
    expect(await runCli(commands, ["models", "pull", "buffalo_l", "--dir", dir], pack.io)).toBe(2);
    expect(pack.err()).toContain("[INVALID_OPTION]");
  });

  it("check without a folder says how to name one, and accepts what it says", async () => {
    const { commands, dir } = await setup();
    vi.stubEnv("INSTANTID_MODELS", "");
    const none = captureIo();
    expect(await runCli(commands, ["models", "check"], none.io)).toBe(2);
    expect(none.err()).toContain("instantid models check --dir models");
    expect(none.err()).toContain("INSTANTID_MODELS=models");
    const named = captureIo();
    expect(await runCli(commands, ["models", "check", "--dir", dir], named.io)).toBe(1);
    expect(named.out()).toContain(`Fix: instantid models pull all --dir ${dir}`);
  });
});
