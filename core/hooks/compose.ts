import { ErrorCode, InstantIdError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { addResidualsInto } from "./residuals.js";
import type { ControlResiduals, GenerationContext, GenerationHook, StepContext, StepContribution } from "./types.js";

/**
 * Merges the contributions of several hooks to one UNet call: inputs by name (a name set twice is
 * an error), residuals summed. The first residual set is taken as is and the others are added into
 * it in place, so a single ControlNet costs no copy; hooks hand their residual buffers over with the
 * contribution and must not reuse them.
 */
export function mergeContributions(
  contributions: readonly { readonly hook: string; readonly contribution: StepContribution | undefined }[],
): StepContribution {
  const inputs: Record<string, Tensor> = {};
  const owners = new Map<string, string>();
  let residuals: ControlResiduals | undefined;
  for (const { hook, contribution } of contributions) {
    if (!contribution) continue;
    for (const [name, value] of Object.entries(contribution.inputs ?? {})) {
      const owner = owners.get(name);
      if (owner !== undefined) {
        throw new InstantIdError(
          ErrorCode.InvalidInput,
          `Hooks "${owner}" and "${hook}" both set the UNet input "${name}". Give one of them another input name, or merge them ` +
            `into one hook (several identities belong in one Image Adapter hook).`,
        );
      }
      owners.set(name, hook);
      inputs[name] = value;
    }
    if (contribution.residuals) {
      if (residuals) addResidualsInto(residuals, contribution.residuals, `The residuals of hook "${hook}"`);
      else residuals = contribution.residuals;
    }
  }
  return residuals ? { inputs, residuals } : { inputs };
}

/**
 * A registry of hooks that is itself a hook, as diffusers' hook registry: hooks are added and
 * removed by name, a duplicate name is refused, and the last added is the outermost (its stages
 * run first). Contributions are merged with {@link mergeContributions}.
 */
export class HookRegistry implements GenerationHook {
  readonly name: string;
  #hooks: GenerationHook[] = [];

  constructor(name = "hooks") {
    this.name = name;
  }

  /** Adds a hook as the new outermost one; refuses a name already registered. */
  add(hook: GenerationHook): this {
    if (this.#hooks.some((h) => h.name === hook.name)) {
      throw new InstantIdError(
        ErrorCode.InvalidInput,
        `A hook named "${hook.name}" is already registered in ${this.name}. Remove it first (registry.remove("${hook.name}")) or ` +
          `give the new hook another name.`,
      );
    }
    this.#hooks.push(hook);
    return this;
  }

  /** Removes the hook with this name and returns it, or undefined when there is none. */
  remove(name: string): GenerationHook | undefined {
    const index = this.#hooks.findIndex((h) => h.name === name);
    return index < 0 ? undefined : this.#hooks.splice(index, 1)[0];
  }

  /** The hook with this name, if registered. */
  get(name: string): GenerationHook | undefined {
    return this.#hooks.find((h) => h.name === name);
  }

  /** Hook names, outermost first. */
  get names(): string[] {
    return this.#outermostFirst().map((h) => h.name);
  }

  /** Prepares every hook, outermost first. */
  async prepare(context: GenerationContext): Promise<void> {
    for (const hook of this.#outermostFirst()) await hook.prepare?.(context);
  }

  /** Asks every hook for its contribution, outermost first, and merges them. */
  async beforeStep(step: StepContext): Promise<StepContribution> {
    const contributions = [];
    for (const hook of this.#outermostFirst()) {
      contributions.push({ hook: hook.name, contribution: await hook.beforeStep?.(step) });
    }
    return mergeContributions(contributions);
  }

  /** Resets every hook, even when one of them throws; the first failure is rethrown afterwards. */
  reset(): void {
    let failure: unknown;
    for (const hook of this.#outermostFirst()) {
      try {
        hook.reset?.();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }

  #outermostFirst(): GenerationHook[] {
    return [...this.#hooks].reverse();
  }
}

/** Composes hooks into one: the last one given is the outermost. Duplicate names are refused. */
export function composeHooks(...hooks: GenerationHook[]): HookRegistry {
  const registry = new HookRegistry("composed hooks");
  for (const hook of hooks) registry.add(hook);
  return registry;
}
