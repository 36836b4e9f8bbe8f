import { describe, expect, it } from "vitest";
import { composeHooks, HookRegistry, mergeContributions } from "../../../core/hooks/compose.js";
import type { ControlResiduals, GenerationHook, StepContext } from "../../../core/hooks/types.js";
import { tensor } from "../../../core/tensor/tensor.js";

const step: StepContext = {
  index: 0,
  total: 1,
  sample: tensor([1, 4, 2, 2]),
  timestep: tensor([1], [1]),
  promptEmbeds: tensor([1, 2, 3]),
  textEmbeds: tensor([1, 2]),
  timeIds: tensor([1, 6]),
};

function residuals(value: number): ControlResiduals {
  return { down: [tensor([1, 2], [value, value])], mid: tensor([1, 1], [value]) };
}

function hook(name: string, contribution: ReturnType<NonNullable<GenerationHook["beforeStep"]>>, log?: string[]): GenerationHook {
  return {
    name,
    prepare: () => void log?.push(`prepare ${name}`),
    beforeStep: () => {
      log?.push(`step ${name}`);
      return contribution;
    },
    reset: () => void log?.push(`reset ${name}`),
  };
}

describe("composeHooks", () => {
  it("sums the residuals of several hooks", async () => {
    const composed = composeHooks(hook("a", { residuals: residuals(1) }), hook("b", { residuals: residuals(2) }), hook("c", undefined));
    const out = await composed.beforeStep(step);
    expect([...out.residuals!.down[0].data]).toEqual([3, 3]);
    expect([...out.residuals!.mid.data]).toEqual([3]);
  });

  it("passes a single hook's residual buffers through without copying them", async () => {
    const only = residuals(5);
    const out = await composeHooks(hook("a", { residuals: only }), hook("b", { inputs: { x: tensor([1]) } })).beforeStep(step);
    expect(out.residuals!.down[0].data).toBe(only.down[0].data);
    expect(out.residuals!.mid.data).toBe(only.mid.data);
  });

  it("merges the extra UNet inputs of several hooks", async () => {
    const x = tensor([1], [1]);
    const y = tensor([1], [2]);
    const out = await composeHooks(hook("a", { inputs: { x } }), hook("b", { inputs: { y } })).beforeStep(step);
    expect(out.inputs).toEqual({ x, y });
  });

  it("rejects two hooks setting the same UNet input and names both and how to fix it", async () => {
    const composed = composeHooks(
      hook("first", { inputs: { ip_scale: tensor([1]) } }),
      hook("second", { inputs: { ip_scale: tensor([1]) } }),
    );
    await expect(composed.beforeStep(step)).rejects.toThrow(
      /Hooks "second" and "first" both set the UNet input "ip_scale"\. Give one of them another input name/,
    );
  });

  it("rejects a residual set that does not fit the others, naming the hook", () => {
    const odd: ControlResiduals = { down: [tensor([1, 3])], mid: tensor([1, 1]) };
    expect(() =>
      mergeContributions([
        { hook: "a", contribution: { residuals: residuals(1) } },
        { hook: "depth", contribution: { residuals: odd } },
      ]),
    ).toThrow(/hook "depth" down residual 0 has shape \[1, 3\] but the others have \[1, 2\]/);
  });

  it("refuses a duplicate hook name and says how to replace it", () => {
    expect(() => composeHooks(hook("identitynet", undefined), hook("identitynet", undefined))).toThrow(
      /"identitynet" is already registered.*registry\.remove\("identitynet"\)/,
    );
  });

  it("runs the last added hook outermost, first in every stage", async () => {
    const log: string[] = [];
    const composed = composeHooks(hook("inner", undefined, log), hook("outer", undefined, log));
    await composed.prepare({ rows: ["cond"], width: 8, height: 8, steps: 1 });
    await composed.beforeStep(step);
    composed.reset();
    expect(log).toEqual(["prepare outer", "prepare inner", "step outer", "step inner", "reset outer", "reset inner"]);
    expect(composed.names).toEqual(["outer", "inner"]);
  });

  it("resets every hook even when one fails, then rethrows the failure", () => {
    const log: string[] = [];
    const failing: GenerationHook = {
      name: "failing",
      reset: () => {
        throw new Error("boom");
      },
    };
    const composed = composeHooks(hook("a", undefined, log), failing);
    expect(() => composed.reset()).toThrow("boom");
    expect(log).toEqual(["reset a"]);
  });
});

describe("HookRegistry", () => {
  it("removes hooks by name so a new one can take the name", async () => {
    const registry = new HookRegistry().add(hook("a", { inputs: { x: tensor([1], [1]) } }));
    expect(registry.remove("a")?.name).toBe("a");
    expect(registry.remove("a")).toBeUndefined();
    registry.add(hook("a", { inputs: { x: tensor([1], [7]) } }));
    expect([...(await registry.beforeStep(step)).inputs!.x.data]).toEqual([7]);
    expect(registry.get("a")?.name).toBe("a");
  });
});
