import { randomBytes } from "node:crypto";

/** A multipart/form-data field: text, or a file with a name and a content type. */
export type FormField = string | { readonly filename: string; readonly contentType: string; readonly data: Uint8Array };

/** Encodes fields as multipart/form-data (RFC 7578), returning the body and its content-type header. */
export function encodeMultipart(fields: Readonly<Record<string, FormField>>): { body: Uint8Array; contentType: string } {
  const boundary = `----instantid${randomBytes(12).toString("hex")}`;
  const parts: Buffer[] = [];
  for (const [name, field] of Object.entries(fields)) {
    if (typeof field === "string") {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${field}\r\n`));
      continue;
    }
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${field.filename.replace(/"/g, "")}"\r\nContent-Type: ${field.contentType}\r\n\r\n`,
      ),
    );
    parts.push(Buffer.from(field.data), Buffer.from("\r\n"));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: new Uint8Array(Buffer.concat(parts)), contentType: `multipart/form-data; boundary=${boundary}` };
}
