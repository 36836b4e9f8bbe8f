import { extname } from "node:path";

/** Content types of the image files ComfyUI's LoadImage reads, by extension (aiohttp stores the part as sent). */
const IMAGE_TYPES: Readonly<Record<string, string>> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".gif": "image/gif",
  ".bmp": "image/bmp",
};

/**
 * The form ComfyUI's `POST /upload/image` reads: the image as a file part, its folder type, and
 * whether to overwrite a file of the same name. A platform `FormData` with a `Blob`: fetch (undici)
 * writes the multipart body and its boundary.
 */
export function imageUploadForm(data: Uint8Array, filename: string): FormData {
  const form = new FormData();
  const type = IMAGE_TYPES[extname(filename).toLowerCase()] ?? "application/octet-stream";
  form.append("image", new Blob([data], { type }), filename);
  form.append("type", "input");
  form.append("overwrite", "true");
  return form;
}
