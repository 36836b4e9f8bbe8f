import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { acceptKey, encodeFrame, FrameParser, MessageAssembler, Opcode } from "../../adapters/net/websocket-frames.js";

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
  /** Resolves when the client sent a close frame. */
  readonly clientClosed: Promise<number>;
}

/**
 * Accepts RFC 6455 upgrades on `server` for requests `accept` approves, checking the handshake
 * the way real servers do (version 13, 16-byte key) and requiring masked client frames.
 */
export function acceptWebSockets(
  server: Server,
  accept: (request: IncomingMessage) => boolean,
  onOpen: (socket: ServerSocket) => void,
): void {
  server.on("upgrade", (request: IncomingMessage, socket: Duplex) => {
    const key = request.headers["sec-websocket-key"];
    const validKey = typeof key === "string" && Buffer.from(key, "base64").length === 16;
    if (
      !accept(request) ||
      request.headers["sec-websocket-version"] !== "13" ||
      !validKey ||
      request.headers.upgrade?.toLowerCase() !== "websocket"
    ) {
      socket.end("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`,
    );
    onOpen(serverSocket(socket, new URL(request.url ?? "/", "http://loopback")));
  });
}

function serverSocket(socket: Duplex, url: URL): ServerSocket {
  const parser = new FrameParser();
  const assembler = new MessageAssembler();
  const received: string[] = [];
  const pongs: string[] = [];
  let resolveClosed!: (code: number) => void;
  const clientClosed = new Promise<number>((resolve) => (resolveClosed = resolve));
  socket.on("error", () => undefined);
  socket.on("data", (chunk: Buffer) => {
    for (const frame of parser.push(chunk)) {
      if (!frame.masked) {
        socket.end(encodeFrame(Opcode.Close, Buffer.from([0x03, 0xea]), false)); // 1002: protocol error
        return;
      }
      const message = assembler.add(frame);
      if (!message) continue;
      if (message.opcode === Opcode.Text) received.push(message.payload.toString("utf8"));
      if (message.opcode === Opcode.Pong) pongs.push(message.payload.toString("utf8"));
      if (message.opcode === Opcode.Close) {
        resolveClosed(message.payload.length >= 2 ? message.payload.readUInt16BE(0) : 1005);
        socket.end();
      }
    }
  });
  return {
    url,
    received,
    pongs,
    clientClosed,
    sendText: (text) => socket.write(encodeFrame(Opcode.Text, Buffer.from(text), false)),
    sendBinary: (data) => socket.write(encodeFrame(Opcode.Binary, data, false)),
    sendFragmented(text, parts) {
      const bytes = Buffer.from(text);
      const size = Math.ceil(bytes.length / parts);
      for (let i = 0; i < parts; i++) {
        const frame = encodeFrame(i === 0 ? Opcode.Text : Opcode.Continuation, bytes.subarray(i * size, (i + 1) * size), false);
        if (i < parts - 1) frame[0] &= 0x7f; // clear FIN on all but the last fragment
        socket.write(frame);
      }
    },
    ping: (payload) => socket.write(encodeFrame(Opcode.Ping, Buffer.from(payload), false)),
    close(code, reason = "") {
      const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
      payload.writeUInt16BE(code);
      payload.write(reason, 2);
      socket.write(encodeFrame(Opcode.Close, payload, false));
    },
    drop: () => socket.destroy(),
  };
}
