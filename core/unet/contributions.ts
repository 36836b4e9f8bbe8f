import { ErrorCode, InstantIdError } from "../errors.js";
import type { ControlResiduals, GenerationHook, StepContext } from "../hooks/types.js";
import type { Tensor } from "../tensor/tensor.js";

/** The merged contribution of all hooks to one UNet call. */
export interface MergedContribution {
  readonly inputs: Record<string, Tensor>;
  readonly residuals?: ControlResiduals;
}

/** Asks every hook for its contribution to this UNet call and merges them: inputs by name, residuals summed. */
export async function collectContributions(
  hooks: readonly GenerationHook[],
  step: StepContext,
): Promise<MergedContribution> {
  const inputs: Record<string, Tensor> = {};
  const owners: Record<string, string> = {};
  let residuals: ControlResiduals | undefined;
  for (const hook of hooks) {
    const contribution = await hook.beforeStep?.(step);
    for (const [name, value] of Object.entries(contribution?.inputs ?? {})) {
      if (owners[name]) {
        throw new InstantIdError(
          ErrorCode.InvalidInput,
          `Hooks "${owners[name]}" and "${hook.name}" both set the UNet input ${name}; remove one of them or give them distinct inputs.`,
        );
      }
      owners[name] = hook.name;
      inputs[name] = value;
    }
    if (contribution?.residuals) residuals = residuals ? addResiduals(residuals, contribution.residuals) : contribution.residuals;
  }
  return { inputs, residuals };
}

/** Elementwise sum of two residual sets of the same shapes. */
export function addResiduals(a: ControlResiduals, b: ControlResiduals): ControlResiduals {
  const add = (x: Tensor, y: Tensor): Tensor => ({ shape: x.shape, data: x.data.map((v, i) => v + y.data[i]) });
  return { down: a.down.map((t, i) => add(t, b.down[i])), mid: add(a.mid, b.mid) };
}

