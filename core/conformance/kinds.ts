import { adapterConformance } from "../adapter/conformance.js";
import { alignKind } from "../face/conformance/align.js";
import { realKind } from "../face/conformance/real.js";
import { scrfdKind } from "../face/conformance/scrfd.js";
import { unetConformanceKind } from "../identitynet/unet-conformance.js";
import { kpsConformanceKind } from "../kps/conformance.js";
import { textConformanceKind } from "../text/conformance.js";
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
