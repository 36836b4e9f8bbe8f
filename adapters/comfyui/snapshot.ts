import snapshot from "./object-info.json";
import type { ObjectInfo } from "./object-info.js";

/** The `/object_info` snapshot kept in the repo (what the typed builders were generated from); used offline, e.g. for dry runs. */
export const objectInfoSnapshot = snapshot as unknown as ObjectInfo;
