import { z } from "zod";
import { parseJson, type HttpClient } from "../net/index.js";
import { faceScriptFromInfo, type FaceScriptLayout } from "./sdnext-face.js";

const unitCount = z.object({ control_net_unit_count: z.number().int().positive() });

async function readUnitCount(http: HttpClient, path: string, signal?: AbortSignal): Promise<number | undefined> {
  const response = await http.request({ path, accept: [404, 401, 403], signal });
  if (response.status !== 200) return undefined;
  const parsed = unitCount.safeParse(parseJson<unknown>(response.body, `GET ${path} on ${http.baseUrl}`));
  return parsed.success ? parsed.data.control_net_unit_count : undefined;
}

/**
 * The server's ControlNet unit slots (`control_net_unit_count`): sd-webui-controlnet serves them at
 * `/controlnet/settings`; Forge does not, but its `/sdapi/v1/options` may list the setting. Undefined
 * when neither says.
 */
export async function readUnitSlots(http: HttpClient, signal?: AbortSignal): Promise<number | undefined> {
  return (await readUnitCount(http, "/controlnet/settings", signal)) ?? (await readUnitCount(http, "/sdapi/v1/options", signal));
}

/** SD.Next's face script layout, from `/sdapi/v1/script-info`; servers without that route get the `face` object. */
export async function readFaceScript(http: HttpClient, signal?: AbortSignal): Promise<FaceScriptLayout> {
  const response = await http.request({ path: "/sdapi/v1/script-info", accept: [404], signal });
  if (response.status !== 200) return { kind: "face-object" };
  return faceScriptFromInfo(parseJson<unknown>(response.body, `GET /sdapi/v1/script-info on ${http.baseUrl}`), http.baseUrl);
}
