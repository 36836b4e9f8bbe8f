import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";

/** The server side of one test websocket. */
export interface ServerSocket {
  readonly url: URL;
  sendText(text: string): void;
  sendBinary(data: Uint8Array): void;
  /** Sends `text` split into `parts` fragments (RFC 6455 §5.4). */
  sendFragmented(text: string, parts: number): void;
  ping(payload: string): void;
  close(code: number, reason?: string): void;
  /** Destroys the TCP connection without a close frame. */
  drop(): void;
  readonly received: string[];
  readonly pongs: string[];
  /** Resolves with the client's close code when the connection ends (1006 when it dropped without one). */
  readonly clientClosed: Promise<number>;
}

/**
 * Accepts websocket upgrades on `server` for requests `accept` approves, through ws's WebSocketServer:
 * it checks the handshake as real servers do (version 13, 16-byte key) and refuses unmasked client frames.
 */
export function acceptWebSockets(
  server: Server,
  accept: (request: IncomingMessage) => boolean,
  onOpen: (socket: ServerSocket) => void,
): void {
  const sockets = new WebSocketServer({ noServer: true });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!accept(request)) {
      socket.end("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => onOpen(serverSocket(ws, new URL(request.url ?? "/", "http://loopback"))));
  });
}

function serverSocket(ws: WebSocket, url: URL): ServerSocket {
  const received: string[] = [];
  const pongs: string[] = [];
  const clientClosed = new Promise<number>((resolve) => ws.on("close", (code: number) => resolve(code)));
  ws.on("error", () => undefined);
  ws.on("message", (data: Buffer, isBinary: boolean) => !isBinary && received.push(data.toString("utf8")));
  ws.on("pong", (data: Buffer) => pongs.push(data.toString("utf8")));
  return {
    url,
    received,
    pongs,
    clientClosed,
    sendText: (text) => ws.send(text),
    sendBinary: (data) => ws.send(data, { binary: true }),
    sendFragmented(text, parts) {
      const bytes = Buffer.from(text);
      const size = Math.ceil(bytes.length / parts);
      for (let i = 0; i < parts; i++) ws.send(bytes.subarray(i * size, (i + 1) * size), { binary: false, fin: i === parts - 1 });
    },
    ping: (payload) => ws.ping(payload),
    close: (code, reason = "") => ws.close(code, reason),
    drop: () => ws.terminate(),
  };
}
