import sharp from "sharp";

/** Decodes base64 image data like the servers' PIL decode does; returns its size or throws. */
export async function decodeBase64Image(value: unknown, what: string): Promise<{ width: number; height: number }> {
  if (typeof value !== "string") throw new Error(`${what}: expected a base64 string`);
  const data = value.startsWith("data:") ? value.slice(value.indexOf(",") + 1) : value;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) throw new Error(`${what}: not valid base64`);
  try {
    const meta = await sharp(Buffer.from(data, "base64")).metadata();
    return { width: meta.width ?? 0, height: meta.height ?? 0 };
  } catch {
    throw new Error(`${what}: cannot identify image file`);
  }
}

/** A small PNG of the given size and grey level. */
export function pngOf(width: number, height: number, level = 128): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: level, g: level, b: level } } })
    .png()
    .toBuffer();
}

/** A textured PNG the mocks' face detectors accept as "a face" (only flat pictures have none). */
export function texturedPng(width = 64, height = 64): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } })
    .png()
    .toBuffer();
}
