import { symlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { build } from "tsup";
import { tempDir } from "../../../helpers/shared.js";

const root = resolve(import.meta.dirname, "..", "..", "..", "..");

/**
 * Bundles the runner's worker entry (and test hook modules) from the TypeScript sources into a
 * temp folder the way tsup builds dist/, so worker tests run the code under test, not a stale dist.
 */
export async function buildWorkerBundle(extraEntries: Record<string, string> = {}): Promise<{ workerScript: string; dir: string }> {
  const dir = await tempDir("instantid-worker-");
  await build({
    entry: { "runner-worker": join(root, "adapters/onnx-sdxl/worker/runner-worker.ts"), ...extraEntries },
    format: ["esm"],
    outDir: dir,
    target: "node20",
    platform: "node",
    silent: true,
    config: false,
    external: ["onnxruntime-node", "sharp", "zod", "protobufjs"],
  });
  // The bundle imports its runtime dependencies by name: let them resolve from the project's node_modules.
  await symlink(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  return { workerScript: join(dir, "runner-worker.js"), dir };
}
