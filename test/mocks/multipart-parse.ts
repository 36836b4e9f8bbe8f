/** One parsed multipart/form-data part. */
export interface Part {
  readonly name: string;
  readonly filename?: string;
  readonly contentType?: string;
  readonly data: Buffer;
}

/** Parses a multipart/form-data body the way aiohttp's reader does, or throws saying what is malformed. */
export function parseMultipart(body: Buffer, contentType: string | undefined): Part[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/
    .exec(contentType ?? "")
    ?.slice(1)
    .find(Boolean);
  if (!contentType?.startsWith("multipart/form-data") || !boundary)
    throw new Error(`expected multipart/form-data with a boundary, got ${contentType}`);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let start = body.indexOf(delimiter);
  if (start < 0) throw new Error("multipart body has no opening boundary");
  for (;;) {
    start += delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") return parts;
    const headerEnd = body.indexOf("\r\n\r\n", start);
    const next = body.indexOf(delimiter, headerEnd);
    if (headerEnd < 0 || next < 0) throw new Error("multipart body is truncated");
    const headers = body.subarray(start + 2, headerEnd).toString("utf8");
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? "";
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
    if (!name) throw new Error("multipart part without a name");
    parts.push({
      name,
      filename: /filename="([^"]*)"/.exec(disposition)?.[1],
      contentType: /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1],
      data: body.subarray(headerEnd + 4, next - 2),
    });
    start = next;
  }
}
