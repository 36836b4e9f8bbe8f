import type { CliCommand } from "../command.js";
import { conformanceCommand } from "./conformance.js";
import { identityMixCommand } from "./identity-mix.js";
import { identityShowCommand } from "./identity-show.js";
import { modelsCheckCommand } from "./models-check.js";
import { modelsPullCommand } from "./models-pull.js";

/** Every CLI command; each capability adds its command here. */
export const commands: readonly CliCommand[] = [conformanceCommand, modelsPullCommand, modelsCheckCommand, identityShowCommand, identityMixCommand];
