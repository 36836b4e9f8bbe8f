import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { createCompositionHooks, ErrorCode, InstantIdError, type GenerationHook } from "../../../core/index.js";
import type { SessionContext } from "../../../core/internal.js";
import { createInstantIdHook } from "../instantid-hook.js";
import type { HookModuleSpec } from "./protocol.js";

/** Hook factories bundled with the runner, addressed as "builtin:<name>" (no import needed). */
const builtins: Record<string, (options: never, context: SessionContext) => Promise<GenerationHook> | GenerationHook> = {
  instantid: createInstantIdHook,
  composition: createCompositionHooks,
};

/**
 * Builds the hook a {@link HookModuleSpec} names: a built-in factory, or the export of a module the
 * spec names (a package or an absolute path). The worker builds its hooks this way; so does a caller
 * running the same specs in-process. Factories get `context` as their second argument: a long-lived
 * runner's session pool (`context.sessions`), where they may open their models to keep them open
 * between generations.
 */
export async function buildHook(spec: HookModuleSpec, context: SessionContext = {}): Promise<GenerationHook> {
  if (spec.module.startsWith("builtin:")) {
    const factory = builtins[spec.module.slice("builtin:".length)];
    if (!factory)
      throw new InstantIdError(
        ErrorCode.InvalidOption,
        `Unknown built-in hook ${spec.module}; built-ins are ${Object.keys(builtins)
          .map((n) => `builtin:${n}`)
          .join(", ")}.`,
      );
    return factory(spec.options as never, context);
  }
  const specifier = isAbsolute(spec.module) ? pathToFileURL(spec.module).href : spec.module;
  const name = spec.export ?? "default";
  let factory: unknown;
  try {
    factory = ((await import(specifier)) as Record<string, unknown>)[name];
  } catch (error) {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `The worker could not import hook module ${spec.module}: ${(error as Error).message}. Give an absolute path or an ` +
        `installed package name.`,
      { cause: error },
    );
  }
  if (typeof factory !== "function") {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `Hook module ${spec.module} has no function export "${name}"; export a factory (options) => GenerationHook.`,
    );
  }
  return (await factory(spec.options, context)) as GenerationHook;
}
