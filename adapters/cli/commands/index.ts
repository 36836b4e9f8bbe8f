import type { CliCommand } from "../command.js";
import { analyzeCommand } from "./analyze.js";
import { conformanceCommand } from "./conformance.js";
import { demoCommand } from "./demo.js";
import { modelsCheckCommand } from "./models-check.js";
import { modelsPullCommand } from "./models-pull.js";

/** Every CLI command; each capability adds its command here. */
export const commands: readonly CliCommand[] = [
  conformanceCommand,
  analyzeCommand,
  modelsPullCommand,
  modelsCheckCommand,
  demoCommand,
];
