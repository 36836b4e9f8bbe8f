import type { CliIo } from "../../../../adapters/cli/command.js";

/** A CLI io that records what a command prints. */
export function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), interactive: false };
  return { io, out: () => out.join(""), err: () => err.join("") };
}
