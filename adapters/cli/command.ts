/** One option of a CLI command, described once for parsing and for `--help`. */
export interface CliOption {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  readonly description: string;
  /** Placeholder shown in help, e.g. `DIR`. */
  readonly value?: string;
  readonly default?: string | boolean;
}

/** Where a command writes; tests pass their own to capture output. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stderr is a terminal, so progress bars may redraw in place. */
  readonly interactive: boolean;
}

/** Parsed arguments of one invocation. */
export interface CliArgs {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: readonly string[];
}

/** A CLI command: its words (`["identity", "create"]`), help text, options, and what it does. Returns the exit code. */
export interface CliCommand {
  readonly path: readonly string[];
  readonly summary: string;
  /** Positional arguments as shown in usage, e.g. `IMAGE...`. */
  readonly positionals?: string;
  readonly options: Readonly<Record<string, CliOption>>;
  /** The command opens ONNX Runtime sessions: it takes `--device` (see {@link commandOptions}). */
  readonly opensSessions?: boolean;
  readonly examples?: readonly string[];
  run(args: CliArgs, io: CliIo): Promise<number>;
}

/** Declares a command with full type inference of its options. */
export function defineCommand(command: CliCommand): CliCommand {
  return command;
}

/** `--device`, which every command that opens ONNX Runtime sessions takes. */
export const DEVICE_OPTION: CliOption = {
  type: "string",
  value: "EP",
  description: "ONNX Runtime execution providers for every model, in order: cpu, cuda, dml, coreml, webgpu... (e.g. cuda,cpu; default cpu)",
};

/** A command's options as parsed and shown in help: its own, plus `--device` when it opens sessions. */
export function commandOptions(command: CliCommand): Readonly<Record<string, CliOption>> {
  return command.opensSessions ? { ...command.options, device: DEVICE_OPTION } : command.options;
}
