import { ErrorCode, InstantIdError } from "../../core/index.js";
import { inputKind, type ObjectInfo } from "./object-info.js";

/** The model files an InstantID workflow loads, by the names the server lists. */
export interface ComfyModels {
  readonly checkpoint: string;
  readonly instantIdModel: string;
  readonly controlNetModel: string;
}

function choices(info: ObjectInfo, node: string, input: string): string[] {
  const spec = info[node]?.input.required?.[input];
  if (!spec) return [];
  const kind = inputKind(spec);
  return kind.kind === "COMBO" ? [...kind.choices] : [];
}

function pick(list: string[], wanted: string | undefined, prefer: RegExp): string | undefined {
  if (wanted) return list.includes(wanted) ? wanted : undefined;
  return list.find((name) => prefer.test(name)) ?? list[0];
}

/**
 * Chooses the checkpoint, InstantID model and IdentityNet ControlNet from a server's `/object_info`
 * (the ones asked for, or the likeliest), or throws naming each that is missing and what is installed.
 */
export function chooseModels(info: ObjectInfo, wanted: Partial<ComfyModels> = {}): ComfyModels {
  const checkpoints = choices(info, "CheckpointLoaderSimple", "ckpt_name");
  const instantIds = choices(info, "InstantIDModelLoader", "instantid_file");
  const controlNets = choices(info, "ControlNetLoader", "control_net_name");
  const checkpoint = pick(checkpoints, wanted.checkpoint, /xl/i);
  const instantIdModel = pick(instantIds, wanted.instantIdModel, /ip-adapter|instantid/i);
  const controlNetModel = wanted.controlNetModel
    ? pick(controlNets, wanted.controlNetModel, /./)
    : controlNets.find((name) => /instant_?id/i.test(name));
  const missing: string[] = [];
  if (!info.InstantIDModelLoader) missing.push("the ComfyUI_InstantID nodes (install cubiq/ComfyUI_InstantID)");
  if (!checkpoint)
    missing.push(`checkpoint ${wanted.checkpoint ?? "(any SDXL)"} in models/checkpoints (installed: ${checkpoints.join(", ") || "none"})`);
  if (info.InstantIDModelLoader && !instantIdModel)
    missing.push(
      `InstantID model ${wanted.instantIdModel ?? "ip-adapter.bin"} in models/instantid (installed: ${instantIds.join(", ") || "none"})`,
    );
  if (!controlNetModel)
    missing.push(
      `IdentityNet ${wanted.controlNetModel ?? "(a name containing instantid)"} in models/controlnet (installed: ` +
        `${controlNets.join(", ") || "none"})`,
    );
  if (missing.length)
    throw new InstantIdError(ErrorCode.ModelNotFound, `The ComfyUI server lacks ${missing.join("; ")}`, { details: { missing } });
  return { checkpoint: checkpoint!, instantIdModel: instantIdModel!, controlNetModel: controlNetModel! };
}
