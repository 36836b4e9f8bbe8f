import { commandOptions, type CliCommand } from "./command.js";

const WIDTH = 100;

/** Breaks text into lines of at most `width` characters at spaces (a longer word keeps its own line). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

/** The summary's first sentence, whole: a summary is wrapped by hand, so its first line may stop mid-sentence. */
export function firstSentence(summary: string): string {
  const text = summary.replace(/\s+/g, " ").trim();
  const end = /[.!?](?=\s+[A-Z`-]|$)/.exec(text);
  return end ? text.slice(0, end.index + 1) : `${text}.`;
}

/** The `--help` text of one command. */
export function commandHelp(command: CliCommand): string {
  const name = `instantid ${command.path.join(" ")}`;
  const lines = [`Usage: ${name}${command.positionals ? ` ${command.positionals}` : ""} [options]`, "", command.summary, "", "Options:"];
  const rows = Object.entries(commandOptions(command)).map(([long, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : "    "}--${long}${option.type === "string" ? ` ${option.value ?? "VALUE"}` : ""}`;
    // An empty default (an optional text left empty) says nothing worth a "default:" note.
    const shownDefault = option.default !== undefined && option.default !== "" ? `default: ${option.default}` : "";
    const extra = [option.multiple ? "repeatable" : "", shownDefault].filter(Boolean);
    return [flag, `${option.description}${extra.length ? ` (${extra.join("; ")})` : ""}`];
  });
  rows.push(["-h, --help", "Show this help"]);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}  ${text}`);
  if (command.examples?.length) lines.push("", "Examples:", ...command.examples.map((e) => `  ${e}`));
  return `${lines.join("\n")}\n`;
}

/** The top-level help: every command with the first sentence of its summary, wrapped under it. */
export function rootHelp(commands: readonly CliCommand[]): string {
  const names = commands.map((c) => c.path.join(" "));
  const width = Math.max(...names.map((name) => name.length));
  const rows = commands.flatMap((c, i) =>
    wrap(firstSentence(c.summary), WIDTH - width - 4).map((line, j) => `  ${(j === 0 ? names[i] : "").padEnd(width)}  ${line}`),
  );
  return [
    "Usage: instantid <command> [options]",
    "",
    ...wrap(
      "InstantID for Node: face analysis, keypoint images, identities, ONNX UNet patching, a reference SDXL runner, " +
        "A1111 and ComfyUI bridges, several identities in one picture, model downloads and conformance checks.",
      WIDTH,
    ),
    "",
    "Commands:",
    ...rows,
    "",
    "Run `instantid <command> --help` for a command's options, `instantid --version` for the version.",
    "",
  ].join("\n");
}
