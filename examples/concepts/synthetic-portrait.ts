// A drawn, synthetic portrait and its face detection, so the concept pictures need no photo and no model.
import type { Detection, FiveKeypoints, RgbImage } from "../../core/index.js";

type Rgb = readonly [number, number, number];

/** Size of the synthetic portrait. */
export const PORTRAIT_SIZE = 512;

// Where the drawing puts the features; the keypoints below are read off the same numbers.
const EYES = { y: 238, left: 204, right: 308, rx: 22, ry: 11 } as const;
const NOSE = { x: 256, y: 306 } as const;
const MOUTH = { y: 362, left: 214, right: 298 } as const;

/** The five keypoints of the drawn face (eyes, nose tip, mouth corners), as face analysis would return them. */
export const PORTRAIT_KEYPOINTS: FiveKeypoints = [
  [EYES.left, EYES.y],
  [EYES.right, EYES.y],
  [NOSE.x, NOSE.y],
  [MOUTH.left, MOUTH.y],
  [MOUTH.right, MOUTH.y],
];

/** The detection a face detector would give for the drawing: a box around the face, not the hair. */
export const PORTRAIT_DETECTION: Detection = { bbox: [146, 150, 366, 440], score: 1, kps: PORTRAIT_KEYPOINTS };

const ellipse = (cx: number, cy: number, rx: number, ry: number) => (x: number, y: number) =>
  ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;

function paint(image: RgbImage, inside: (x: number, y: number) => boolean, color: Rgb): void {
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) if (inside(x + 0.5, y + 0.5)) image.data.set(color, (y * image.width + x) * 3);
  }
}

/** A flat-shaded head and shoulders on a gradient background: enough of a face to show boxes and keypoints on. */
export function syntheticPortrait(): RgbImage {
  const size = PORTRAIT_SIZE;
  const image: RgbImage = { width: size, height: size, data: new Uint8Array(size * size * 3) };
  paint(image, () => true, [0, 0, 0]);
  for (let y = 0; y < size; y++) {
    const t = y / size;
    const row: Rgb = [Math.round(96 + 60 * t), Math.round(128 + 50 * t), Math.round(170 + 40 * t)];
    for (let x = 0; x < size; x++) image.data.set(row, (y * size + x) * 3);
  }
  paint(image, ellipse(256, 560, 200, 110), [58, 82, 120]); // shoulders
  paint(image, (x, y) => Math.abs(x - 256) < 48 && y > 380 && y < 480, [214, 170, 140]); // neck
  paint(image, ellipse(256, 250, 132, 150), [62, 44, 34]); // hair
  paint(image, ellipse(256, 292, 112, 148), [228, 184, 152]); // face
  for (const x of [EYES.left, EYES.right]) {
    paint(image, ellipse(x, EYES.y - 24, 28, 6), [70, 50, 40]); // brow
    paint(image, ellipse(x, EYES.y, EYES.rx, EYES.ry), [250, 250, 250]);
    paint(image, ellipse(x, EYES.y, 8, 8), [60, 90, 70]);
  }
  paint(image, (x, y) => y > 250 && y < NOSE.y && Math.abs(x - NOSE.x) < (y - 250) / 3, [205, 156, 128]); // nose
  paint(image, ellipse((MOUTH.left + MOUTH.right) / 2, MOUTH.y, (MOUTH.right - MOUTH.left) / 2, 9), [180, 70, 80]);
  return image;
}
