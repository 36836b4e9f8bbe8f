import { kpsConformanceKind } from "../kps/conformance.js";
import type { ConformanceKind } from "./kind.js";

/** The conformance kinds the SDK implements; each capability adds its kind here. */
export const builtInKinds: readonly ConformanceKind[] = [kpsConformanceKind];
