import { ErrorCode, InstantIdError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import type { ControlResiduals } from "../hooks/types.js";
import { type Dim, dimsCompatible, formatDims, type GraphIo } from "../runtime/graph-io.js";
import { type ResidualNames, type ResidualNaming, resolveResidualNames, unetInputConventions } from "./residual-names.js";

/** The residual inputs of a UNet graph: their names and declared shapes. */
export interface UnetResidualInputs {
  readonly names: ResidualNames;
  readonly down: readonly (readonly Dim[])[];
  readonly mid: readonly Dim[];
}

/** Finds the residual inputs of a UNet graph by preset, "auto" (default) or explicit names. */
export function unetResidualInputs(unet: GraphIo, naming: ResidualNaming = "auto"): UnetResidualInputs {
  const names = resolveResidualNames(naming, unetInputConventions, [...unet.inputs.keys()], "UNet inputs");
  return { names, down: names.down.map((n) => unet.inputs.get(n) ?? []), mid: unet.inputs.get(names.mid) ?? [] };
}

/** Checks computed residuals against the UNet's declared shapes before a run, naming the first misfit. */
export function checkResidualShapes(residuals: ControlResiduals, unet: UnetResidualInputs): void {
  const check = (t: Tensor, dims: readonly Dim[], name: string) => {
    if (!dimsCompatible(t.shape, dims)) {
      throw new InstantIdError(
        ErrorCode.ShapeMismatch,
        `The residual for UNet input ${name} has shape ${formatDims(t.shape)} but the UNet expects ${formatDims(dims)}`,
      );
    }
  };
  residuals.down.forEach((t, i) => check(t, unet.down[i], unet.names.down[i]));
  check(residuals.mid, unet.mid, unet.names.mid);
}

// SDXL's 9 skips sit at 1/1, 1/1, 1/1, 1/2, 1/2, 1/2, 1/4, 1/4, 1/4 of the latent; mid at 1/4.
const sdxlDownFactors = [1, 1, 1, 2, 2, 2, 4, 4, 4];

/**
 * N for a symbolic size written "height/N" (as patchControlNetResiduals and the synthetic UNet declare them); 1 for "height" and "width".
 */
function declaredFactor(dim: Dim): number | undefined {
  if (dim === "height" || dim === "width") return 1;
  const match = typeof dim === "string" ? /^(?:height|width)\/(\d+)$/.exec(dim) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * Zero residuals for a UNet call with no active ControlNet, shaped from the UNet's declared shapes
 * (batch and open sizes taken from the latent; a size declared "height/N" is the latent's over N,
 * other open sizes follow SDXL's layout).
 */
export function zeroResidualsFor(unet: UnetResidualInputs, sample: Tensor): ControlResiduals {
  const [rows, , h, w] = sample.shape;
  const shapeOf = (dims: readonly Dim[], factor: number | undefined, name: string): number[] =>
    dims.map((d, axis) => {
      if (typeof d === "number" && d > 0) return d;
      if (axis === 0) return rows;
      const declared = axis >= 2 ? declaredFactor(d) : undefined;
      if (declared !== undefined || (axis >= 2 && factor !== undefined)) return Math.ceil((axis === 2 ? h : w) / (declared ?? factor!));
      throw new InstantIdError(
        ErrorCode.ShapeMismatch,
        `Cannot tell the size of dimension ${axis} of UNet input ${name} ${formatDims(dims)}; give the graph static residual ` +
          `shapes or let a ControlNet hook run on every step`,
      );
    });
  const factors = unet.down.length === sdxlDownFactors.length ? sdxlDownFactors : [];
  const zeros = (shape: number[]): Tensor => ({ shape, data: new Float32Array(shape.reduce((n, d) => n * d, 1)) });
  return {
    down: unet.down.map((dims, i) => zeros(shapeOf(dims, factors[i], unet.names.down[i]))),
    mid: zeros(shapeOf(unet.mid, factors.length ? 4 : undefined, unet.names.mid)),
  };
}

const sharedZeros = new WeakMap<UnetResidualInputs, Map<string, ControlResiduals>>();

/**
 * {@link zeroResidualsFor}, allocated once per UNet and latent shape and reused for every later call
 * (215 MB at 1024² with CFG: allocating them per step cost seconds of first-touch page faults). The
 * buffers are shared and only ever read (fed to ONNX Runtime): never write into them.
 */
export function sharedZeroResiduals(unet: UnetResidualInputs, sample: Tensor): ControlResiduals {
  let byShape = sharedZeros.get(unet);
  if (!byShape) sharedZeros.set(unet, (byShape = new Map()));
  const key = sample.shape.join("x");
  let zeros = byShape.get(key);
  if (!zeros) byShape.set(key, (zeros = zeroResidualsFor(unet, sample)));
  return zeros;
}
