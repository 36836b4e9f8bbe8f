import { ErrorCode, InstantIdError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import type { ControlResiduals } from "./types.js";

/** All residual tensors of a set, down blocks first, mid block last. */
export function residualTensors(residuals: ControlResiduals): Tensor[] {
  return [...residuals.down, residuals.mid];
}

/** Bytes held by a residual set (float32), the unit the copy budget is measured in. */
export function residualBytes(residuals: ControlResiduals): number {
  return residualTensors(residuals).reduce((n, t) => n + t.data.byteLength, 0);
}

/**
 * Adds `source` into `target` element by element, in place. Both sets must have the same
 * layout; the message names the first tensor that differs, so a mismatched ControlNet is easy to spot.
 */
export function addResidualsInto(target: ControlResiduals, source: ControlResiduals, what: string): void {
  if (target.down.length !== source.down.length) {
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `${what} has ${source.down.length} down-block residuals but the others have ${target.down.length}; every ControlNet in one ` +
        `generation must fit the same UNet`,
    );
  }
  const into = residualTensors(target);
  residualTensors(source).forEach((t, i) => {
    const name = i < target.down.length ? `down residual ${i}` : "mid residual";
    if (t.data.length !== into[i].data.length) {
      throw new InstantIdError(
        ErrorCode.ShapeMismatch,
        `${what} ${name} has shape [${t.shape.join(", ")}] but the others have [${into[i].shape.join(", ")}]`,
      );
    }
    const a = into[i].data;
    const b = t.data;
    for (let k = 0; k < a.length; k++) a[k] += b[k];
  });
}
