import { ErrorCode, InstantIdError } from "../errors.js";
import { type Dim, dimsCompatible, formatDims } from "../runtime/graph-io.js";
import type { UnetResidualInputs } from "../unet/residual-inputs.js";
import type { ControlNetModel } from "./controlnet-model.js";

/**
 * Checks that a ControlNet's residual outputs fit a UNet's residual inputs, count and declared
 * shapes, and says which name or shape is wrong.
 */
export function checkResidualLink(controlnet: ControlNetModel, unet: UnetResidualInputs): void {
  const produced = controlnet.residuals;
  if (produced.down.length !== unet.names.down.length) {
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `The ${controlnet.what} returns ${produced.down.length} down-block residuals (${produced.down.join(", ")}) but the UNet ` +
        `takes ${unet.names.down.length} (${unet.names.down.join(", ")}); the two graphs are not from the same architecture`,
    );
  }
  const pairs: [string, readonly Dim[], string, readonly Dim[]][] = [
    ...produced.down.map((n, i): [string, readonly Dim[], string, readonly Dim[]] => [
      n,
      controlnet.io.outputs.get(n) ?? [],
      unet.names.down[i],
      unet.down[i],
    ]),
    [produced.mid, controlnet.io.outputs.get(produced.mid) ?? [], unet.names.mid, unet.mid],
  ];
  for (const [out, outDims, into, intoDims] of pairs) {
    if (!dimsCompatible(outDims, intoDims)) {
      throw new InstantIdError(
        ErrorCode.ShapeMismatch,
        `The ${controlnet.what} output ${out} has shape ${formatDims(outDims)} but the UNet input ${into} expects ` +
          `${formatDims(intoDims)}; check that both graphs are SDXL and that the residual names are paired in order`,
      );
    }
  }
}
