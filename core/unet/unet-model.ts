import type { StepContext, StepContribution } from "../hooks/types.js";
import { fromOrtTensor, loadSession, type OrtSession, runSession, toOrtTensor } from "../runtime/session.js";
import type { Tensor } from "../tensor/tensor.js";
import { graphIo, type GraphIo } from "../runtime/graph-io.js";
import { timestepFeed } from "../runtime/timestep-feed.js";
import type { ResidualNaming } from "./residual-names.js";
import { defaultUnetInputs, type UnetInputNames, unetStepFeeds } from "./unet-feeds.js";
import { type UnetResidualInputs, unetResidualInputs } from "./residual-inputs.js";

/** A loaded UNet graph with its input names and, when it takes them, its residual inputs. */
export interface UnetModel {
  readonly session: OrtSession;
  readonly io: GraphIo;
  readonly inputs: UnetInputNames;
  readonly residualInputs?: UnetResidualInputs;
  readonly output: string;
}

/** Options of {@link loadUnet}. */
export interface LoadUnetOptions {
  readonly inputs?: Partial<UnetInputNames>;
  /** Residual input naming; default "auto". Graphs without residual inputs are fine. */
  readonly residuals?: ResidualNaming;
}

/** Opens a UNet ONNX graph (a path keeps external data resolvable) and finds its residual inputs. */
export async function loadUnet(model: string | Uint8Array, options: LoadUnetOptions = {}): Promise<UnetModel> {
  const session = await loadSession(model, { what: "UNet" });
  return unetFromSession(session, options);
}

/** Wraps an open UNet session as a {@link UnetModel}. */
export function unetFromSession(session: OrtSession, options: LoadUnetOptions = {}): UnetModel {
  const io = graphIo(session);
  const takesResiduals = [...io.inputs.keys()].some((n) => n.includes("mid_block"));
  return {
    session,
    io,
    inputs: { ...defaultUnetInputs, ...options.inputs },
    residualInputs: takesResiduals || typeof options.residuals === "object" ? unetResidualInputs(io, options.residuals) : undefined,
    output: [...io.outputs.keys()][0],
  };
}

/** Runs the UNet once for a step and the hooks' merged contribution; returns the noise prediction. */
export async function runUnet(unet: UnetModel, step: StepContext, contribution?: StepContribution): Promise<Tensor> {
  const feeds = unetStepFeeds(step, contribution, unet.residualInputs, unet.inputs);
  const ortFeeds = Object.fromEntries(
    Object.entries(feeds).map(([name, t]) => [name, name === unet.inputs.timestep ? timestepFeed(unet.session, name, t) : toOrtTensor(t)]),
  );
  const outputs = await runSession(unet.session, ortFeeds, "UNet");
  return fromOrtTensor(outputs[unet.output], `UNet output ${unet.output}`);
}
