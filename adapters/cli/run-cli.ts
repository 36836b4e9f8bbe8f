import { parseArgs, type ParseArgsConfig } from "node:util";
import { configureRuntime, InstantIdError } from "../../core/index.js";
import { commandOptions, type CliCommand, type CliIo } from "./command.js";
import { commandHelp, rootHelp } from "./help.js";

/** Finds the command whose words open `argv`, the longest match first. */
function findCommand(commands: readonly CliCommand[], argv: readonly string[]): CliCommand | undefined {
  const sorted = [...commands].sort((a, b) => b.path.length - a.path.length);
  return sorted.find((c) => c.path.every((word, i) => argv[i] === word));
}

/** Runs one CLI invocation against a command list and returns the exit code; errors are printed, never thrown. */
export async function runCli(commands: readonly CliCommand[], argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    io.stdout(rootHelp(commands));
    return 0;
  }
  const command = findCommand(commands, argv);
  if (!command) {
    const group = commands.filter((c) => c.path[0] === argv[0]);
    if (group.length && (argv.length === 1 || argv.includes("--help"))) {
      io.stdout(rootHelp(group));
      return argv.length === 1 ? 2 : 0;
    }
    io.stderr(`Unknown command: ${argv.join(" ")}\n\n${rootHelp(commands)}`);
    return 2;
  }
  const rest = argv.slice(command.path.length);
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(commandHelp(command));
    return 0;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    const options: ParseArgsConfig["options"] = {};
    for (const [name, option] of Object.entries(commandOptions(command))) {
      // parseArgs (Node 20.20) rejects keys present with the value undefined, so only defined ones are passed.
      const config: NonNullable<ParseArgsConfig["options"]>[string] = { type: option.type };
      if (option.short !== undefined) config.short = option.short;
      if (option.multiple !== undefined) config.multiple = option.multiple;
      if (option.default !== undefined) config.default = option.default as never;
      options[name] = config;
    }
    parsed = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${commandHelp(command)}`);
    return 2;
  }
  try {
    // One setting for every session the command opens, here and in the runner's worker.
    if (typeof parsed.values.device === "string") configureRuntime({ device: parsed.values.device });
    return await command.run({ values: parsed.values as never, positionals: parsed.positionals }, io);
  } catch (error) {
    if (error instanceof InstantIdError) {
      io.stderr(`instantid ${command.path.join(" ")}: ${error.message} [${error.code}]\n`);
      return 1;
    }
    io.stderr(`instantid ${command.path.join(" ")}: unexpected failure: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}
