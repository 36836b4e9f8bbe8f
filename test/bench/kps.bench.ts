import type { FiveKeypoints } from "../../core/face/types.js";
import { renderKeypoints } from "../../core/kps/render.js";
import { medianMs, type Benchmark } from "./benchmark.js";

const SIZE = 1024;
/** A large frontal face filling much of the canvas: the costly case (long limbs, discs all inside). */
const FACE: FiveKeypoints = [
  [380, 420],
  [640, 420],
  [512, 560],
  [410, 700],
  [615, 700],
];

/** Rendering a 1024×1024 keypoint image beside allocating and filling the same canvas. */
export const kpsBenchmark: Benchmark = {
  name: "kps render 1024x1024",
  available: () => true,
  async run() {
    const value = await medianMs(() => renderKeypoints(FACE, { width: SIZE, height: SIZE }), 50, 5);
    const baseline = await medianMs(() => new Uint8Array(SIZE * SIZE * 3).fill(1), 50, 5);
    return [
      {
        name: "render one face, 1024x1024",
        value,
        unit: "ms",
        baselineName: "allocate + fill canvas",
        baseline,
        goal: "< 5 ms",
        met: value < 5,
      },
    ];
  },
};
