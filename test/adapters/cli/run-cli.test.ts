import { describe, expect, it } from "vitest";
import { defineCommand } from "../../../adapters/cli/command.js";
import { commands } from "../../../adapters/cli/commands/index.js";
import { runCli } from "../../../adapters/cli/run-cli.js";
import { ErrorCode, InstantIdError } from "../../../core/errors.js";
import { configureRuntime, currentDevice } from "../../../core/runtime/device.js";
import { loadSession } from "../../../core/runtime/session.js";
import { captureIo } from "./commands/capture.js";

describe("runCli", () => {
  it("prints --help for every command, naming each of its options", async () => {
    for (const command of commands) {
      const { io, out } = captureIo();
      expect(await runCli(commands, [...command.path, "--help"], io)).toBe(0);
      for (const option of Object.keys(command.options)) expect(out()).toContain(`--${option}`);
    }
  });

  it("gives every command that opens ONNX Runtime sessions --device, which sets the providers of every session it opens", async () => {
    const opening = commands.filter((c) => c.opensSessions).map((c) => c.path.join(" "));
    expect(opening).toEqual(expect.arrayContaining(["analyze", "generate", "kps", "identity create", "demo", "compose", "conformance"]));
    const { io, out } = captureIo();
    expect(await runCli(commands, ["generate", "--help"], io)).toBe(0);
    expect(out()).toMatch(/--device EP +ONNX Runtime execution providers/);
    let seen: readonly string[] = [];
    const probe = defineCommand({ path: ["probe"], summary: "probe", opensSessions: true, options: {}, run: async () => ((seen = currentDevice()), 0) });
    try {
      expect(await runCli([probe], ["probe", "--device", "CUDA,cpu"], captureIo().io)).toBe(0);
      expect(seen).toEqual(["cuda", "cpu"]);
      const missing = captureIo();
      expect(await runCli([{ ...probe, run: async () => (await loadSession(new Uint8Array(1), { what: "model" }), 0) }], ["probe", "--device", "nosuch"], missing.io)).toBe(1);
      expect(missing.err()).toMatch(/execution provider "nosuch" is not available.*\[DEVICE_UNAVAILABLE\]/);
    } finally {
      configureRuntime({ device: "cpu" });
    }
  });

  it("lists every command in the root help", async () => {
    const { io, out } = captureIo();
    expect(await runCli(commands, ["--help"], io)).toBe(0);
    for (const command of commands) expect(out()).toContain(command.path.join(" "));
  });

  it("rejects unknown commands and options with exit code 2", async () => {
    const a = captureIo();
    expect(await runCli(commands, ["no-such-command"], a.io)).toBe(2);
    expect(a.err()).toContain("Unknown command");
    const b = captureIo();
    expect(await runCli(commands, ["conformance", "--bogus"], b.io)).toBe(2);
  });

  it("prints an InstantIdError's message and code and exits 1", async () => {
    const failing = defineCommand({
      path: ["fail"],
      summary: "fails",
      options: {},
      run: async () => {
        throw new InstantIdError(ErrorCode.NoFace, "No face found; tried 640, 576");
      },
    });
    const { io, err } = captureIo();
    expect(await runCli([failing], ["fail"], io)).toBe(1);
    expect(err()).toContain("No face found; tried 640, 576 [NO_FACE]");
  });
});
