import { adapterConformance } from "./image-adapter.js";
import { alignKind } from "./align.js";
import { realKind } from "./real.js";
import { scrfdKind } from "./scrfd.js";
import { unetConformanceKind } from "./unet.js";
import { kpsConformanceKind } from "./kps.js";
import { textConformanceKind } from "./text.js";
import type { ConformanceKind } from "./kind.js";

/** The conformance kinds the SDK implements; each capability adds its kind here, one per line. */
export const builtInKinds: readonly ConformanceKind[] = [
  alignKind,
  scrfdKind,
  realKind,
  adapterConformance,
  unetConformanceKind,
  kpsConformanceKind,
  textConformanceKind,
];
