import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commands } from "../../../../adapters/cli/commands/index.js";
import { runCli } from "../../../../adapters/cli/run-cli.js";
import { tempDir } from "../../../helpers/shared.js";
import { captureIo } from "./capture.js";

describe("instantid conformance", () => {
  it("knows the runner's pipeline kind beside the core's kinds, and names them when a folder matches none", async () => {
    const dir = join(await tempDir(), "nothing");
    await mkdir(dir);
    const cli = captureIo();
    expect(await runCli(commands, ["conformance", dir, "--out", await tempDir()], cli.io)).not.toBe(0);
    expect(cli.err()).toMatch(/No conformance kind named nothing .*one of: .*\bunet\b.*\bpipeline\b/);
  });
});
