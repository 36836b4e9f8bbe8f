import type { ProgressEvent } from "../../core/index.js";
import type { CliIo } from "./command.js";

/** Bytes in decimal units, as download sites print them: 999 B, 16.9 MB, 1.69 GB. */
export function humanBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

/** Seconds as m:ss or h:mm:ss. */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return h ? `${h}:${String(m).padStart(2, "0")}:${String(r).padStart(2, "0")}` : `${m}:${String(r).padStart(2, "0")}`;
}

/**
 * Draws download progress for `models pull`: file n of m, bytes done and total in human units, the
 * speed (over the last few seconds) and the time left. On a terminal one line is redrawn; in logs one
 * line per file per 10%. `now` is injectable so tests need no clock.
 */
export function createDownloadProgress(io: CliIo, now: () => number = Date.now): (event: ProgressEvent) => void {
  let stage = "";
  let samples: { at: number; bytes: number }[] = [];
  let lastDecile = -1;
  return (event) => {
    const at = now();
    if (event.stage !== stage) {
      stage = event.stage;
      samples = [];
      lastDecile = -1;
    }
    samples.push({ at, bytes: event.completed });
    while (samples.length > 2 && at - samples[0].at > 5000) samples.shift();
    const first = samples[0];
    const seconds = (at - first.at) / 1000;
    const speed = seconds > 0 ? (event.completed - first.bytes) / seconds : 0;
    const verifying = event.stage.startsWith("verify ");
    const amount = event.total > 0 ? `${humanBytes(event.completed)} / ${humanBytes(event.total)}` : humanBytes(event.completed);
    const rate = speed > 0 ? `, ${humanBytes(speed)}/s` : "";
    const left = speed > 0 && event.total > event.completed ? `, ${humanDuration((event.total - event.completed) / speed)} left` : "";
    const line =
      `${event.message ? `[${event.message}] ` : ""}${verifying ? event.stage : `downloading ${event.stage}`}: ` +
      `${amount}${rate}${left}`;
    const fraction = event.total > 0 ? Math.min(1, event.completed / event.total) : 0;
    if (io.interactive) {
      io.stderr(`\r${line}\u001b[K${fraction >= 1 ? "\n" : ""}`);
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile !== lastDecile) {
      io.stderr(`${line} (${Math.round(fraction * 100)}%)\n`);
      lastDecile = decile;
    }
  };
}
