import type { CliCommand } from "../command.js";
import { conformanceCommand } from "./conformance.js";
import { generateCommand } from "./generate.js";
import { wrapSessionCommand } from "./wrap-session.js";

/** Every CLI command; each capability adds its command here. */
export const commands: readonly CliCommand[] = [conformanceCommand, generateCommand, wrapSessionCommand];
