import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "../helpers/shared.js";

/** The project root. */
export const root = resolve(import.meta.dirname, "..", "..");

/** Runs a command and returns its stdout; throws with its output when it fails. */
export function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8", ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return String(result.stdout);
}

/** The packed package: the tarball `npm pack` wrote and the paths it holds. */
export interface Packed {
  readonly tarball: string;
  readonly files: readonly string[];
}

/** Packs the built package (no rebuild: `npm run build` made dist/) into a temp folder. */
export async function packPackage(): Promise<Packed> {
  if (!existsSync(join(root, "dist", "index.d.ts")))
    throw new Error("dist/ has no type declarations: run `npm run build` before `npm run test:package`");
  const dir = await tempDir("instantid-pack-");
  const [report] = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir])) as {
    filename: string;
    files: { path: string }[];
  }[];
  return { tarball: join(dir, report.filename), files: report.files.map((file) => file.path) };
}
