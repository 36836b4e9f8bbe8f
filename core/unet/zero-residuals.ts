import { ErrorCode, InstantIdError } from "../errors.js";
import type { ControlResiduals } from "../hooks/types.js";
import { tensor, type Tensor } from "../tensor/tensor.js";
import type { ResidualNames } from "./residual-names.js";

// SDXL's nine down-block skips: channels and the latent downscale of each (REFERENCE.md).
const SDXL_DOWN = [
  [320, 1], [320, 1], [320, 1], [320, 2], [640, 2], [640, 2], [640, 4], [1280, 4], [1280, 4],
] as const;

/**
 * All-zero residuals shaped for the UNet's residual inputs, for steps where no hook adds any
 * (ONNX Runtime rejects missing inputs). Sizes come from the graph, or SDXL's layout when the graph
 * leaves them symbolic.
 */
export function zeroResiduals(
  names: ResidualNames,
  declaredShapes: Readonly<Record<string, readonly (number | string)[]>>,
  sampleShape: readonly number[],
): ControlResiduals {
  const [rows, , height, width] = sampleShape;
  const shapeOf = (name: string, index: number): number[] => {
    const declared = declaredShapes[name] ?? [];
    const spatial = declared.slice(1);
    if (declared.length === 4 && spatial.every((d) => typeof d === "number")) return [rows, ...(spatial as number[])];
    const sdxl = index < 0 ? ([1280, 4] as const) : SDXL_DOWN[index];
    if (names.down.length === SDXL_DOWN.length && sdxl) return [rows, sdxl[0], height / sdxl[1], width / sdxl[1]];
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `Cannot tell the shape of UNet residual input ${name} (declared [${declared.join(", ")}]); add a hook that gives residuals on every step.`,
    );
  };
  const zeros = (name: string, index: number): Tensor => tensor(shapeOf(name, index));
  return { down: names.down.map((name, i) => zeros(name, i)), mid: zeros(names.mid, -1) };
}
