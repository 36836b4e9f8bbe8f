import type { Composition } from "../../../core/index.js";
import type { CliIo, CliOption } from "../command.js";
import type { ComposeArgs } from "./args.js";

/** A backend of `instantid compose`: its own options and what it does with a resolved composition. */
export interface ComposeBackend {
  readonly options: Readonly<Record<string, CliOption>>;
  run(composition: Composition, args: ComposeArgs, values: Record<string, unknown>, io: CliIo): Promise<number>;
}
