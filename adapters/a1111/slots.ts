import { ErrorCode, InstantIdError } from "../../core/index.js";
import type { A1111Request, ServerCapabilities } from "./types.js";

/** sd-webui-controlnet's and Forge's default `control_net_unit_count`. */
export const DEFAULT_UNIT_SLOTS = 3;

/** The ControlNet units a request body carries (0 for SD.Next's face script). */
export function controlNetUnitCount(request: A1111Request): number {
  const args = (request.alwayson_scripts as { controlnet?: { args?: unknown[] } } | undefined)?.controlnet?.args;
  return args?.length ?? 0;
}

/** One line for dry runs: how many unit slots the request needs, in the words of the setting. */
export function unitSlotsNote(request: A1111Request): string | undefined {
  const units = controlNetUnitCount(request);
  if (!units) return undefined;
  return (
    `the request has ${units} ControlNet units: the server's control_net_unit_count (Settings > ControlNet, ` +
    `"Multi-ControlNet: ControlNet unit number") must be at least ` +
    `${units}${units > DEFAULT_UNIT_SLOTS ? ` (the default is ${DEFAULT_UNIT_SLOTS}; raise it and restart the server)` : ""}`
  );
}

/**
 * Refuses a request with more ControlNet units than the server has slots: A1111's API copies only as
 * many units as there are slots and drops the rest without a word, so an identity would lose its
 * IdentityNet. Servers that do not report their count are taken to have the default 3.
 * @throws InstantIdError SERVER_SETTING naming control_net_unit_count, the count needed and the restart.
 */
export function assertUnitSlots(request: A1111Request, server: ServerCapabilities): void {
  const units = controlNetUnitCount(request);
  const slots = server.unitSlots ?? DEFAULT_UNIT_SLOTS;
  if (units <= slots) return;
  const known =
    server.unitSlots === undefined
      ? `does not report its control_net_unit_count, so the default ${DEFAULT_UNIT_SLOTS} is assumed`
      : `has control_net_unit_count ${slots}`;
  throw new InstantIdError(
    ErrorCode.ServerSetting,
    `The request has ${units} ControlNet units (two per identity) but the ${server.flavour} server ${known}; its API would drop ` +
      `the units past ${slots} silently. Raise "Multi-ControlNet: ControlNet unit number" (control_net_unit_count) to at least ` +
      `${units} in Settings > ControlNet, then restart the server (the setting takes effect only after a restart)`,
    {
      details: {
        setting: "control_net_unit_count",
        needed: units,
        available: slots,
        reported: server.unitSlots !== undefined,
        restartRequired: true,
      },
    },
  );
}
