import { extname } from "node:path";
import { writeFileAtomic } from "./atomic.js";

/**
 * Writes generated images atomically: `OUT.png` for one image, `OUT-1.png`, `OUT-2.png`… for several,
 * each beside a `.json` file with its generation info. Returns the image paths.
 */
export async function saveImages(out: string, images: readonly Uint8Array[], info: unknown): Promise<string[]> {
  const extension = extname(out) || ".png";
  const stem = out.slice(0, out.length - extname(out).length);
  const paths = images.map((_, i) => (images.length === 1 ? `${stem}${extension}` : `${stem}-${i + 1}${extension}`));
  for (let i = 0; i < images.length; i++) {
    await writeFileAtomic(paths[i], images[i]);
    await writeFileAtomic(`${paths[i].slice(0, paths[i].length - extension.length)}.json`, `${JSON.stringify(info, null, 2)}\n`);
  }
  return paths;
}
