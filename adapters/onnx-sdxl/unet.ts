import type { UnetModel } from "../../core/index.js";
import {
  loadSession,
  unetFromSession,
  type OrtSession,
  type ResidualNaming,
  type SessionPool,
  type UnetInputNames,
} from "../../core/internal.js";

/** Options of {@link openUnet}. */
export interface OpenUnetOptions {
  /** Residual input naming ("auto" finds the convention the graph uses) or explicit names. */
  readonly residuals?: ResidualNaming;
  /** Names of the usual inputs, when the export renamed them. */
  readonly inputs?: Partial<UnetInputNames>;
  /** Threads for one operator. */
  readonly intraOpThreads?: number;
}

/** Opens a UNet from a path (external data resolves beside it), bytes, or an open session. */
export async function openUnet(model: string | Uint8Array | OrtSession, options: OpenUnetOptions = {}): Promise<UnetModel> {
  const session =
    typeof model === "string" || model instanceof Uint8Array
      ? await loadSession(model, { what: "UNet", intraOpThreads: options.intraOpThreads })
      : model;
  return unetFromSession(session, { residuals: options.residuals, inputs: options.inputs });
}

const pooled = new WeakMap<OrtSession, UnetModel>();

/**
 * The UNet at `path` from a runner's session pool, wrapped once per session: the same UnetModel
 * (and so its zero residuals, allocated once per latent shape) serves every generation.
 */
export async function pooledUnet(sessions: SessionPool, path: string): Promise<UnetModel> {
  const session = await sessions.open(path, "UNet");
  let unet = pooled.get(session);
  if (!unet) pooled.set(session, (unet = unetFromSession(session)));
  return unet;
}
