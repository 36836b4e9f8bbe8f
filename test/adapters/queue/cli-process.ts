import { spawn, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/**
 * Bundles the CLI from its sources (as `npm run build` does, packages left external) into the
 * project's .cache, where node_modules resolves, so a test can run `instantid ...` as a real process.
 */
export async function bundleCli(): Promise<string> {
  const outfile = join(root, ".cache", "test-queue", `cli-${process.pid}.mjs`);
  await mkdir(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(root, "adapters/cli/main.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile,
    logLevel: "error",
  });
  return outfile;
}

/** A running `instantid` process and what it printed so far. */
export interface CliProcess {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export function startCli(cli: string, args: readonly string[]): CliProcess {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout!.on("data", (chunk) => (text += chunk));
  child.stderr!.on("data", (chunk) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** Resolves once `condition` holds, checking every few milliseconds; rejects with `what` if the process given ends first. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, watch?: CliProcess): Promise<void> {
  let ended = false;
  void watch?.exited.then(() => (ended = true));
  while (!(await condition())) {
    if (ended) throw new Error(`the process ended before ${what}:\n${watch!.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
