import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** `../shared` beside the project root (or INSTANTID_SHARED), the read-only reference data. */
export const sharedRoot = process.env.INSTANTID_SHARED ?? resolve(projectRoot, "..", "shared");

/** Absolute path of a file or folder under `../shared`. */
export function sharedPath(...parts: string[]): string {
  return join(sharedRoot, ...parts);
}

/**
 * A describe block that runs only when `../shared/<sub>` exists, and otherwise
 * is skipped with a message saying what is missing, so a fresh clone still passes.
 */
export function describeShared(name: string, sub: string, body: () => void): void {
  const path = sharedPath(sub);
  if (existsSync(path)) {
    describe(name, body);
    return;
  }
  console.warn(`[skip] ${name}: reference data ${path} is absent (tests that need ../shared are skipped)`);
  // The body is not run at all: describe.skip would still execute it to collect tests, and bodies read ../shared.
  describe(name, () => {
    it.skip(`needs ${path}, which is absent`, () => undefined);
  });
}

/** A fresh temporary folder; tests write here, never into ../shared. */
export function tempDir(prefix = "instantid-test-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
