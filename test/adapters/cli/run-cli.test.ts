import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defineCommand, type CliCommand } from "../../../adapters/cli/command.js";
import { commands } from "../../../adapters/cli/commands/index.js";
import { kpsCommand } from "../../../adapters/cli/commands/kps.js";
import { withDetectionOptions, type FaceDetectionSettings } from "../../../adapters/cli/face-analysis.js";
import { firstSentence } from "../../../adapters/cli/help.js";
import { runCli } from "../../../adapters/cli/run-cli.js";
import { ErrorCode, InstantIdError } from "../../../core/errors.js";
import { savePng } from "../../../core/image/io.js";
import { tempDir } from "../../helpers/shared.js";
import { configureRuntime, currentDevice } from "../../../core/runtime/device.js";
import { loadSession } from "../../../core/runtime/session.js";
import { captureIo } from "./commands/capture.js";
import { fakeFaceAnalysis } from "./commands/fake-analysis.js";

const failingWith = (error: unknown, options: CliCommand["options"] = {}) =>
  defineCommand({
    path: ["fail"],
    summary: "Fails.",
    options,
    run: async () => {
      throw error;
    },
  });

async function invoke(list: readonly CliCommand[], argv: string[]) {
  const { io, out, err } = captureIo();
  const code = await runCli(list, argv, io);
  return { code, out: out(), err: err() };
}

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
    const probe = defineCommand({
      path: ["probe"],
      summary: "probe",
      opensSessions: true,
      options: {},
      run: async () => ((seen = currentDevice()), 0),
    });
    try {
      expect(await runCli([probe], ["probe", "--device", "CUDA,cpu"], captureIo().io)).toBe(0);
      expect(seen).toEqual(["cuda", "cpu"]);
      const missing = captureIo();
      expect(
        await runCli(
          [{ ...probe, run: async () => (await loadSession(new Uint8Array(1), { what: "model" }), 0) }],
          ["probe", "--device", "nosuch"],
          missing.io,
        ),
      ).toBe(1);
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

  it("prints the package version for --version", async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "..", "package.json"), "utf8")) as {
      version: string;
    };
    expect(await invoke(commands, ["--version"])).toEqual({ code: 0, out: `${version}\n`, err: "" });
  });

  it("treats no command, and a group without its command, as usage errors: exit 2, the help on stderr", async () => {
    const none = await invoke(commands, []);
    expect([none.code, none.out]).toEqual([2, ""]);
    expect(none.err).toContain("Usage: instantid <command>");
    const group = await invoke(commands, ["models"]);
    expect([group.code, group.out]).toEqual([2, ""]);
    expect(group.err).toContain("models check");
  });

  it("reports an INVALID_OPTION (a missing, extra or malformed value) as a usage error: exit 2 with the command's usage", async () => {
    const run = await invoke([failingWith(new InstantIdError(ErrorCode.InvalidOption, "Expected a value for --x"))], ["fail"]);
    expect(run.code).toBe(2);
    expect(run.err).toContain("instantid fail: Expected a value for --x [INVALID_OPTION]");
    expect(run.err).toContain("Usage: instantid fail [options]");
    const missing = await invoke(commands, ["generate", "--unet", "u.onnx"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("Usage: instantid generate");
    const unknown = await invoke(commands, ["generate", "--bogus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/Unknown option '--bogus'[\s\S]*Usage: instantid generate/);
  });

  it("reports a missing input file as a typed INVALID_INPUT naming the path, exit 1, with no stack trace", async () => {
    const dir = await tempDir();
    const embeds = join(dir, "nope.safetensors");
    const run = await invoke(commands, ["generate", "--unet", "u.onnx", "--out", join(dir, "o.png"), "--embeds", embeds]);
    expect(run.code).toBe(1);
    expect(run.err).toBe(`instantid generate: ${embeds} does not exist; check the path [INVALID_INPUT]\n`);
  });

  it("reports an untyped failure as an INTERNAL bug with its trace, exit 1", async () => {
    const run = await invoke([failingWith(new TypeError("x is undefined"))], ["fail"]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /^instantid fail: unexpected failure, a bug: please report it with this trace:\nTypeError: x is undefined\n\s+at /,
    );
    expect(run.err).toContain("[INTERNAL]");
  });

  it("answers NO_FACE with the detection flags of a command that has them when it detects faces here (--models), and only then", async () => {
    const noFace = new InstantIdError(ErrorCode.NoFace, "No face found at detection sizes 640, 576.");
    const models = { models: { type: "string", description: "Face models" } } as const;
    const detecting = withDetectionOptions(() => failingWith(noFace, models));
    const withFlags = await invoke([detecting], ["fail", "--models", "m"]);
    expect(withFlags.err).toContain("--det-threshold 0.3");
    expect(withFlags.err).toContain("--det-size 480");
    expect((await invoke([detecting], ["fail"])).err).not.toContain("--det-");
    expect((await invoke([failingWith(noFace, models)], ["fail", "--models", "m"])).err).not.toContain("--det-");
  });

  it("hands --det-threshold and --det-size to face analysis, checked at the boundary", async () => {
    const dir = await tempDir();
    const photo = join(dir, "me.png");
    await savePng(photo, { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(90) });
    const seen: (FaceDetectionSettings | undefined)[] = [];
    const kps = withDetectionOptions(kpsCommand, async (models, detection) => {
      seen.push(detection);
      return fakeFaceAnalysis(models, detection);
    });
    const ok = await invoke(
      [kps],
      ["kps", photo, "--models", dir, "-o", join(dir, "k.png"), "--det-threshold", "0.3", "--det-size", "480"],
    );
    expect(ok.code).toBe(0);
    expect(seen).toEqual([{ threshold: 0.3, size: 480 }]);
    for (const bad of [
      ["--det-threshold", "2"],
      ["--det-size", "500"],
    ]) {
      const run = await invoke([kps], ["kps", photo, "--models", dir, "-o", join(dir, "k.png"), ...bad]);
      expect(run.code).toBe(2);
      expect(run.err).toContain(`for ${bad[0]}`);
    }
  });

  it("shows each command in the root help with whole sentences", async () => {
    const { out } = await invoke(commands, ["--help"]);
    const flat = out.replace(/\n {10,}/g, " ").replace(/ +/g, " ");
    for (const command of commands) {
      const sentence = firstSentence(command.summary);
      expect(sentence).toMatch(/[.!?]$/);
      expect(flat).toContain(`${command.path.join(" ")} ${sentence}`);
    }
  });

  it("lists in comfyui txt2img --help only options that apply to ComfyUI", async () => {
    const { out } = await invoke(commands, ["comfyui", "txt2img", "--help"]);
    expect(out).not.toMatch(/--identity /); // identity files; --identitynet-scale applies
    expect(out).not.toMatch(/SD\.Next|A1111|7860/);
    expect((await invoke(commands, ["a1111", "txt2img", "--help"])).out).toMatch(/--identity /);
  });
});
