import { join } from "node:path";

/** The `/object_info` snapshot the builders are generated from, relative to the project root. */
export function snapshotPath(root: string): string {
  return join(root, "adapters", "comfyui", "object-info.json");
}

/** Where the generated builders live, relative to the project root. */
export function generatedPath(root: string): string {
  return join(root, "adapters", "comfyui", "generated", "nodes.ts");
}
