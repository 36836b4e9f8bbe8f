import type { Sharp, default as SharpFactory } from "sharp";
import { ErrorCode, InstantIdError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import type { RgbImage } from "./rgb-image.js";

/** sharp, loaded on first use: importing the SDK (a bridge user may never decode an image here) must not map libvips. */
async function sharp(): Promise<typeof SharpFactory> {
  return (await import("sharp")).default;
}

/** Raw pixels handed in by a caller: 1 (grey), 3 (RGB) or 4 (RGBA) channels, interleaved. */
export interface RawPixels {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
  readonly data: Uint8Array;
}

/** Anything the SDK accepts as a picture: a file path, encoded bytes, a sharp pipeline, raw pixels, or an {@link RgbImage}. */
export type ImageInput = string | Buffer | Uint8Array | Sharp | RawPixels | RgbImage;

function isRaw(input: object): input is RawPixels | RgbImage {
  return "width" in input && "height" in input && "data" in input;
}

/** Decodes an image to 8-bit RGB with its EXIF orientation applied and any alpha dropped. */
export async function loadImage(input: ImageInput): Promise<RgbImage> {
  if (typeof input === "object" && !(input instanceof Uint8Array) && isRaw(input)) return fromRaw(input);
  const source =
    typeof input === "string" ? input : input instanceof Uint8Array ? `${input.byteLength} bytes of image data` : "a sharp pipeline";
  try {
    const pipeline = typeof input === "string" || input instanceof Uint8Array ? (await sharp())(input) : input.clone();
    const { data, info } = await pipeline.rotate().removeAlpha().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
    const rgb = info.channels === 3 ? data : expandToRgb(data, info.channels);
    if (info.width === 0 || info.height === 0) throw new Error("the image is empty");
    return { width: info.width, height: info.height, data: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.byteLength) };
  } catch (error) {
    throw new InstantIdError(
      ErrorCode.ImageUnreadable,
      `Cannot read image from ${source}: ${(error as Error).message}. Pass a JPEG, PNG or WebP file, its bytes, or raw RGB pixels.`,
      { cause: error },
    );
  }
}

function expandToRgb(data: Uint8Array, channels: number): Uint8Array {
  const pixels = data.length / channels;
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const v = data[i * channels];
    out[i * 3] = v;
    out[i * 3 + 1] = channels >= 3 ? data[i * channels + 1] : v;
    out[i * 3 + 2] = channels >= 3 ? data[i * channels + 2] : v;
  }
  return out;
}

function fromRaw(raw: RawPixels | RgbImage): RgbImage {
  const channels = "channels" in raw ? raw.channels : 3;
  const { width, height } = raw;
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new InstantIdError(
      ErrorCode.ImageUnreadable,
      `Raw image channels must be 1 (grey), 3 (RGB) or 4 (RGBA) but received ${String(channels)}`,
    );
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new InstantIdError(ErrorCode.ImageUnreadable, `Raw image size must be positive integers but received ${width}x${height}`);
  }
  if (raw.data.length !== width * height * channels) {
    throw new InstantIdError(
      ErrorCode.ImageUnreadable,
      `Raw image of ${width}x${height}x${channels} needs ${width * height * channels} bytes but received ${raw.data.length}`,
    );
  }
  return { width, height, data: channels === 3 ? raw.data : expandToRgb(raw.data, channels) };
}

/** Encodes an RGB image as PNG bytes. */
export async function encodePng(image: RgbImage): Promise<Buffer> {
  return (await sharp())(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .png()
    .toBuffer();
}

/** Writes an RGB image as a PNG file, atomically. */
export async function savePng(path: string, image: RgbImage): Promise<void> {
  await writeFileAtomic(path, await encodePng(image));
}
