import { spawn } from "node:child_process";
import { symlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { build } from "tsup";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../helpers/shared.js";

const root = resolve(import.meta.dirname, "..", "..", "..");
let cli = "";

// The CLI bundled from the sources as tsup builds dist/cli.js, so the test runs the code under test.
beforeAll(async () => {
  const dir = await tempDir("instantid-cli-");
  await build({
    entry: { cli: join(root, "adapters/cli/main.ts") },
    format: ["esm"],
    outDir: dir,
    target: "node20",
    platform: "node",
    silent: true,
    config: false,
    external: ["onnxruntime-node", "sharp", "zod", "protobufjs", "ts-morph"],
  });
  await symlink(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  cli = join(dir, "cli.js");
});

/** Runs the CLI with its stdout pipe closed by the reader before anything is written (as `| head` does once it has enough). */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => done({ code, stderr }));
  });
}

describe("instantid (the executable)", () => {
  it("ends quietly when the reader closes its output pipe (EPIPE)", async () => {
    for (const args of [["--help"], ["comfyui", "txt2img", "--help"]]) {
      expect(await runWithClosedStdout(args)).toEqual({ code: 0, stderr: "" });
    }
  });
});
