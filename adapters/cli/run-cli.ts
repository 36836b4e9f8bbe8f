import { parseArgs, type ParseArgsConfig } from "node:util";
import { configureRuntime, ErrorCode, type InstantIdError } from "../../core/index.js";
import { commandOptions, type CliArgs, type CliCommand, type CliIo } from "./command.js";
import { commandFailure } from "./failure.js";
import { commandHelp, rootHelp } from "./help.js";
import { VERSION } from "./version.js";

/** Exit codes: 0 done, 1 the work failed (a typed error), 2 the command line is wrong (usage printed). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Finds the command whose words open `argv`, the longest match first. */
function findCommand(commands: readonly CliCommand[], argv: readonly string[]): CliCommand | undefined {
  const sorted = [...commands].sort((a, b) => b.path.length - a.path.length);
  return sorted.find((c) => c.path.every((word, i) => argv[i] === word));
}

function parseOptions(command: CliCommand, rest: readonly string[]): ReturnType<typeof parseArgs> {
  const options: ParseArgsConfig["options"] = {};
  for (const [name, option] of Object.entries(commandOptions(command))) {
    // parseArgs (Node 20.20) rejects keys present with the value undefined, so only defined ones are passed.
    const config: NonNullable<ParseArgsConfig["options"]>[string] = { type: option.type };
    if (option.short !== undefined) config.short = option.short;
    if (option.multiple !== undefined) config.multiple = option.multiple;
    if (option.default !== undefined) config.default = option.default as never;
    options[name] = config;
  }
  return parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
}

/** Words that help a user act on an error the command's own flags can fix. */
function hintFor(command: CliCommand, error: InstantIdError, values: CliArgs["values"]): string {
  // The detection flags act where faces are detected here (--models); a bridge's server detects with its own settings.
  if (error.code === ErrorCode.NoFace && command.options["det-threshold"] && values.models) {
    return "\nTry --det-threshold 0.3 (a lower face score threshold) or --det-size 480 (the first detection size; smaller ones follow).";
  }
  return "";
}

/** Runs one CLI invocation against a command list and returns the exit code; errors are printed, never thrown. */
export async function runCli(commands: readonly CliCommand[], argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 0) {
    io.stderr(rootHelp(commands));
    return EXIT.usage;
  }
  if (argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    io.stdout(rootHelp(commands));
    return EXIT.ok;
  }
  if (argv[0] === "--version" || argv[0] === "-v") {
    io.stdout(`${VERSION}\n`);
    return EXIT.ok;
  }
  const command = findCommand(commands, argv);
  if (!command) {
    const group = commands.filter((c) => c.path[0] === argv[0]);
    if (group.length && argv.includes("--help")) {
      io.stdout(rootHelp(group));
      return EXIT.ok;
    }
    const what = group.length ? `Expected a command after "${argv[0]}"` : `Unknown command: ${argv.join(" ")}`;
    io.stderr(`${what}\n\n${rootHelp(group.length ? group : commands)}`);
    return EXIT.usage;
  }
  const name = `instantid ${command.path.join(" ")}`;
  const rest = argv.slice(command.path.length);
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(commandHelp(command));
    return EXIT.ok;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseOptions(command, rest);
  } catch (error) {
    io.stderr(`${name}: ${(error as Error).message}\n\n${commandHelp(command)}`);
    return EXIT.usage;
  }
  try {
    // One setting for every session the command opens, here and in the runner's worker.
    if (typeof parsed.values.device === "string") configureRuntime({ device: parsed.values.device });
    return await command.run({ values: parsed.values as never, positionals: parsed.positionals }, io);
  } catch (thrown) {
    const error = commandFailure(thrown);
    // A missing, extra or malformed option is the command line's fault: say so with the usage, as parseArgs errors are.
    if (error.code === ErrorCode.InvalidOption) {
      io.stderr(`${name}: ${error.message} [${error.code}]\n\n${commandHelp(command)}`);
      return EXIT.usage;
    }
    io.stderr(`${name}: ${error.message} [${error.code}]${hintFor(command, error, parsed.values as CliArgs["values"])}\n`);
    return EXIT.failed;
  }
}
