import { extname } from "node:path";
import { writeFilesTogether } from "./atomic.js";

/** Where {@link saveImages} puts `count` images: `OUT.png` for one, `OUT-1.png`, `OUT-2.png`… for several. */
export function imagePaths(out: string, count: number): string[] {
  const extension = extname(out) || ".png";
  const stem = out.slice(0, out.length - extname(out).length);
  return Array.from({ length: count }, (_, i) => (count === 1 ? `${stem}${extension}` : `${stem}-${i + 1}${extension}`));
}

/** The `.json` file beside an image that holds its generation info (`OUT.json` beside `OUT.png`). */
export function imageInfoPath(imagePath: string): string {
  return `${imagePath.slice(0, imagePath.length - extname(imagePath).length)}.json`;
}

/**
 * Writes generated images as one set: `OUT.png` for one image, `OUT-1.png`, `OUT-2.png`… for several, each
 * beside a `.json` file with its generation info. Every file is written whole before any appears, and when
 * one fails none does. Returns the image paths.
 */
export async function saveImages(out: string, images: readonly Uint8Array[], info: unknown): Promise<string[]> {
  const paths = imagePaths(out, images.length);
  const text = `${JSON.stringify(info, null, 2)}\n`;
  await writeFilesTogether(
    paths.flatMap((path, i) => [
      { path, data: images[i] },
      { path: imageInfoPath(path), data: text },
    ]),
  );
  return paths;
}
