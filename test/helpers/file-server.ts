import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How the test server misbehaves for one file. */
export interface ServedFile {
  readonly body: Buffer;
  /** Send this many bytes of the first request's body, then destroy the socket. */
  readonly dropFirstAfter?: number;
  /** Send this many bytes of the first request's body, then go silent (the socket stays open). */
  readonly stallFirstAfter?: number;
  /** Answer every request with the whole file and status 200, whatever its Range header says. */
  readonly ignoreRange?: boolean;
  /** Answer the first request(s) with this status (e.g. 503), then serve normally. */
  readonly failFirst?: { readonly status: number; readonly times: number };
  /** The ETag header sent with the file (Hugging Face sends a plain Git file's blob id, quoted). */
  readonly etag?: string;
}

/** One request the server saw. */
export interface SeenRequest {
  readonly path: string;
  readonly range?: string;
}

/** A loopback HTTP server serving in-memory files, for download tests that never touch the network. */
export interface FileServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 serving `files` (path → file), honouring `Range: bytes=N-`;
 * `/redirect/<path>` answers 302 to `/<path>`; unknown paths answer 404.
 */
export async function startFileServer(files: Record<string, ServedFile>): Promise<FileServer> {
  const requests: SeenRequest[] = [];
  const served = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    requests.push({ path, range: request.headers.range });
    if (path.startsWith("/redirect/")) {
      response.writeHead(302, { location: path.slice("/redirect".length) }).end();
      return;
    }
    const file = files[path];
    if (!file) {
      response.writeHead(404, "Not Found").end("not found");
      return;
    }
    const count = (served.get(path) ?? 0) + 1;
    served.set(path, count);
    serve(file, count, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function serve(file: ServedFile, count: number, request: IncomingMessage, response: ServerResponse): void {
  if (file.failFirst && count <= file.failFirst.times) {
    response.writeHead(file.failFirst.status).end("try later");
    return;
  }
  const start = file.ignoreRange ? 0 : rangeStart(request.headers.range);
  if (start >= file.body.length && start > 0) {
    response.writeHead(416, { "content-range": `bytes */${file.body.length}` }).end();
    return;
  }
  const body = file.body.subarray(start);
  const headers: Record<string, string | number> = { "content-length": body.length, "accept-ranges": "bytes" };
  if (start > 0) headers["content-range"] = `bytes ${start}-${file.body.length - 1}/${file.body.length}`;
  if (file.etag !== undefined) headers.etag = file.etag;
  response.writeHead(start > 0 ? 206 : 200, headers);
  if (file.dropFirstAfter !== undefined && count === 1) {
    response.write(body.subarray(0, file.dropFirstAfter), () => setTimeout(() => response.socket?.destroy(), 20));
    return;
  }
  if (file.stallFirstAfter !== undefined && count === 1) {
    response.write(body.subarray(0, file.stallFirstAfter));
    return;
  }
  response.end(body);
}

function rangeStart(range: string | undefined): number {
  const match = /^bytes=(\d+)-$/.exec(range ?? "");
  return match ? Number(match[1]) : 0;
}
