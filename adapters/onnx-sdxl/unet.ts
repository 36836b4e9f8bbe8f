import { ErrorCode, InstantIdError } from "../../core/errors.js";
import { fromOrtTensor, loadSession, runSession, toOrtTensor, type OrtSession } from "../../core/runtime/session.js";
import type { Tensor } from "../../core/tensor/tensor.js";
import { detectResidualNames, type ResidualNames } from "../../core/unet/residual-names.js";

/** A UNet the runner can call: named float32 inputs in, the predicted noise out. */
export interface UnetModel {
  readonly inputNames: readonly string[];
  /** The residual inputs, when the graph takes ControlNet residuals. */
  readonly residuals?: ResidualNames;
  /** Shape of each input as the model declares it; strings are symbolic sizes. */
  readonly inputShapes: Readonly<Record<string, readonly (number | string)[]>>;
  run(feeds: Record<string, Tensor>): Promise<Tensor>;
}

/** Options of {@link openUnet}. */
export interface OpenUnetOptions {
  /** Residual input names, when {@link detectResidualNames} cannot tell them. */
  readonly residuals?: ResidualNames;
  /** Threads for one operator. */
  readonly intraOpThreads?: number;
}

/** Opens a UNet from a path, bytes or an already open session, and learns its inputs. */
export async function openUnet(model: string | Uint8Array | OrtSession, options: OpenUnetOptions = {}): Promise<UnetModel> {
  const session =
    typeof model === "string" || model instanceof Uint8Array
      ? await loadSession(model, { what: "UNet", intraOpThreads: options.intraOpThreads })
      : model;
  return unetFromSession(session, options.residuals);
}

function unetFromSession(session: OrtSession, residuals?: ResidualNames): UnetModel {
  const inputNames = [...session.inputNames];
  const inputShapes: Record<string, readonly (number | string)[]> = {};
  for (const meta of session.inputMetadata) if (meta.isTensor) inputShapes[meta.name] = meta.shape;
  const output = session.outputNames[0];
  return {
    inputNames,
    inputShapes,
    residuals: residuals ?? detectResidualNames(inputNames),
    async run(feeds) {
      const unknown = Object.keys(feeds).filter((name) => !inputNames.includes(name));
      if (unknown.length > 0) {
        throw new InstantIdError(
          ErrorCode.InvalidInput,
          `The UNet has no input ${unknown.join(", ")} (it takes ${inputNames.join(", ")}). If a hook adds image-attention inputs, patch the UNet first (patchImageAdapter); for residuals, pass residual names to openUnet.`,
        );
      }
      const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, toOrtTensor(t)]));
      const outputs = await runSession(session, ortFeeds, "UNet");
      return fromOrtTensor(outputs[output], `UNet output ${output}`);
    },
  };
}
