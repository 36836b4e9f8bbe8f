import { commandOptions, type CliCommand } from "./command.js";

/** The `--help` text of one command. */
export function commandHelp(command: CliCommand): string {
  const name = `instantid ${command.path.join(" ")}`;
  const lines = [`Usage: ${name}${command.positionals ? ` ${command.positionals}` : ""} [options]`, "", command.summary, "", "Options:"];
  const rows = Object.entries(commandOptions(command)).map(([long, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : "    "}--${long}${option.type === "string" ? ` ${option.value ?? "VALUE"}` : ""}`;
    const extra = [option.multiple ? "repeatable" : "", option.default !== undefined ? `default: ${option.default}` : ""].filter(Boolean);
    return [flag, `${option.description}${extra.length ? ` (${extra.join("; ")})` : ""}`];
  });
  rows.push(["-h, --help", "Show this help"]);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}  ${text}`);
  if (command.examples?.length) lines.push("", "Examples:", ...command.examples.map((e) => `  ${e}`));
  return `${lines.join("\n")}\n`;
}

/** The top-level help: every command with its summary. */
export function rootHelp(commands: readonly CliCommand[]): string {
  const rows = commands.map((c) => [c.path.join(" "), c.summary.split("\n")[0]]);
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    "Usage: instantid <command> [options]",
    "",
    "InstantID for Node: face analysis, keypoint images, identities, ONNX UNet patching, a reference SDXL runner,\nA1111 and ComfyUI bridges, several identities in one picture, model downloads and conformance checks.",
    "",
    "Commands:",
    ...rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`),
    "",
    "Run `instantid <command> --help` for a command's options.",
    "",
  ].join("\n");
}
