import { ErrorCode, InstantIdError } from "../errors.js";
import type { ModelPack } from "./catalog.js";

/** The packs named (`all` or an empty list meaning every pack), in catalogue order; unknown names are an error listing the known ones. */
export function selectPacks(names: readonly string[] | "all", catalog: readonly ModelPack[]): readonly ModelPack[] {
  if (names === "all" || names.length === 0 || names.includes("all")) return catalog;
  const known = catalog.map((pack) => pack.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length) {
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `Expected a model pack name (${[...known, "all"].join(", ")}) but received ${unknown.map((n) => JSON.stringify(n)).join(", ")}`,
    );
  }
  return catalog.filter((pack) => names.includes(pack.name));
}
