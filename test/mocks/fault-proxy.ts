import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import { startServer, type RunningServer } from "./http-server.js";

/**
 * What the fault proxy does to one request instead of (or while) forwarding it:
 * - `drop-mid-body`: forwards, sends the upstream status, headers and half the body, then cuts the connection;
 * - `status`: answers `status` with `body` without forwarding (a 5xx, a 4xx);
 * - `silence`: accepts the request and never answers;
 * - `json`: answers 200 with `text` as the body (malformed or wrong-shape JSON);
 * - `oversized`: answers 200 with `bytes` bytes of JSON-ish text, chunked (no length up front);
 * - `drop-after-request`: reads the request, forwards it (the server runs it), then cuts the client off.
 */
export type HttpFault =
  | { readonly kind: "drop-mid-body" }
  | { readonly kind: "status"; readonly status: number; readonly body?: string }
  | { readonly kind: "silence" }
  | { readonly kind: "json"; readonly text: string }
  | { readonly kind: "oversized"; readonly bytes: number }
  | { readonly kind: "drop-after-request" };

/**
 * What the proxy does to a websocket (after forwarding the handshake):
 * - `silent`: forwards nothing the server sends;
 * - `text`: sends `text` as a text frame first, then forwards;
 * - `oversized-frame`: sends a frame header claiming `claimed` bytes (and a few bytes of it), then stalls;
 * - `ignore-close`: forwards the server's frames but swallows the client's, its close frame included, and never closes.
 */
export type WsFault =
  | { readonly kind: "silent" }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "oversized-frame"; readonly claimed: bigint }
  | { readonly kind: "ignore-close" };

/** Which faults to apply: called per request with its method and path (query included); undefined forwards it untouched. */
export interface FaultRules {
  http?(method: string, path: string, seen: number): HttpFault | undefined;
  ws?(path: string): WsFault | undefined;
}

/** A running fault proxy: its URL, and how many requests it saw per "METHOD /path" (query left out). */
export interface FaultProxy extends RunningServer {
  readonly seen: Map<string, number>;
}

/**
 * A loopback proxy in front of a mock server that injects faults: the repository's standing fault
 * suite runs the bridges through it. Everything stays on 127.0.0.1; every fault is bounded in size.
 */
export async function startFaultProxy(upstreamUrl: string, rules: FaultRules): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const seen = new Map<string, number>();
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  };
  const running = await startServer(async (request, response) => {
    track(request.socket);
    const key = `${request.method} ${(request.url ?? "/").split("?")[0]}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    const fault = rules.http?.(request.method ?? "GET", request.url ?? "/", count);
    if (!fault) return forward(request, response, upstream);
    if (fault.kind === "silence") return;
    if (fault.kind === "status") return void response.writeHead(fault.status, { "content-type": "application/json" }).end(fault.body ?? "");
    if (fault.kind === "json") return void response.writeHead(200, { "content-type": "application/json" }).end(fault.text);
    if (fault.kind === "oversized") return sendOversized(response, fault.bytes);
    if (fault.kind === "drop-after-request") return forward(request, response, upstream, () => request.socket.destroy());
    return forward(request, response, upstream, undefined, true);
  });
  running.server.on("upgrade", (request: IncomingMessage, client: Socket, head: Buffer) => {
    track(client);
    const fault = rules.ws?.(request.url ?? "/");
    const server = connect(Number(upstream.port), upstream.hostname, () => {
      const lines = [
        `${request.method} ${request.url} HTTP/1.1`,
        ...Object.entries(request.headers).map(([name, value]) => `${name}: ${String(value)}`),
        "",
        "",
      ];
      server.write(lines.join("\r\n"));
      if (head.length) server.write(head);
    });
    track(server);
    let handshakeDone = false;
    server.on("data", (chunk: Buffer) => {
      if (!handshakeDone) {
        handshakeDone = true;
        const end = chunk.indexOf("\r\n\r\n") + 4;
        client.write(chunk.subarray(0, end));
        afterHandshake(client, fault);
        chunk = chunk.subarray(end);
        if (!chunk.length) return;
      }
      if (fault?.kind !== "silent" && fault?.kind !== "oversized-frame") client.write(chunk);
    });
    client.on("data", (chunk: Buffer) => {
      if (fault?.kind !== "ignore-close") server.write(chunk);
    });
    client.on("end", () => {
      if (fault?.kind !== "ignore-close") server.end();
    });
    server.on("close", () => {
      if (fault?.kind !== "ignore-close") client.destroy();
    });
  });
  return {
    ...running,
    seen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await running.close();
    },
  };
}

/**
 * Frames written by hand, on purpose: the proxy sits between the two ends at the TCP level, so it injects
 * bytes into the server's stream rather than speaking websocket itself, and a frame header claiming 2^62
 * bytes is exactly what a well-behaved library (ws) refuses to send.
 */
function afterHandshake(client: Socket, fault: WsFault | undefined): void {
  if (fault?.kind === "text") client.write(serverFrame(0x1, Buffer.from(fault.text)));
  if (fault?.kind === "oversized-frame") {
    const header = Buffer.alloc(10);
    header[0] = 0x82; // FIN + binary
    header[1] = 127;
    header.writeBigUInt64BE(fault.claimed, 2);
    client.write(Buffer.concat([header, Buffer.alloc(64)]));
  }
}

function serverFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.from([0x80 | opcode, length]) : Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff]);
  return Buffer.concat([header, payload]);
}

/** Forwards one request upstream; optionally cuts the answer in half or cuts the client off once the upstream answered. */
function forward(request: IncomingMessage, response: ServerResponse, upstream: URL, afterUpstream?: () => void, halfBody = false): void {
  const target = new URL(request.url ?? "/", upstream);
  const outgoing = httpRequest(target, { method: request.method, headers: { ...request.headers, host: upstream.host } }, (answer) => {
    if (afterUpstream) {
      answer.resume();
      answer.on("end", afterUpstream);
      return;
    }
    if (!halfBody) {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
      return;
    }
    const chunks: Buffer[] = [];
    answer.on("data", (chunk: Buffer) => chunks.push(chunk));
    answer.on("end", () => {
      const body = Buffer.concat(chunks);
      response.writeHead(answer.statusCode ?? 502, { ...answer.headers, "content-length": String(body.length) });
      response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.socket?.destroy());
    });
  });
  outgoing.on("error", () => response.destroy());
  request.pipe(outgoing);
}

function sendOversized(response: ServerResponse, bytes: number): void {
  response.writeHead(200, { "content-type": "application/json" });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  const pump = () => {
    while (sent < bytes) {
      sent += chunk.length;
      if (!response.write(chunk)) return void response.once("drain", pump);
    }
    response.end();
  };
  response.on("close", () => (sent = bytes)); // the client gave up: stop writing
  pump();
}
