import type { ProgressEvent } from "../../core/index.js";
import type { CliIo } from "./command.js";

/** Draws progress events as a bar on a terminal, or as one line per 10% elsewhere (logs stay readable). */
export function createProgressBar(io: CliIo, width = 30): (event: ProgressEvent) => void {
  let lastDecile = -1;
  let lastStage = "";
  return (event) => {
    const fraction = event.total > 0 ? Math.min(1, event.completed / event.total) : 0;
    const label = `${event.stage} ${event.completed}/${event.total}${event.message ? ` ${event.message}` : ""}`;
    if (io.interactive) {
      const filled = Math.round(fraction * width);
      io.stderr(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${label}\u001b[K${fraction >= 1 ? "\n" : ""}`);
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile !== lastDecile || event.stage !== lastStage) {
      io.stderr(`${label} (${Math.round(fraction * 100)}%)\n`);
      lastDecile = decile;
      lastStage = event.stage;
    }
  };
}
