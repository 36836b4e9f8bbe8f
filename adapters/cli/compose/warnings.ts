import type { Composition } from "../../../core/index.js";
import type { CliIo } from "../command.js";

/** Prints each of the composition's warnings (overlaps, keypoints outside their region, unused pose faces) to stderr. */
export function printCompositionWarnings(composition: Composition, io: CliIo): void {
  for (const w of composition.warnings) io.stderr(`warning [${w.code}]: ${w.message}\n`);
}
