import { randomBytes } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Duplex } from "node:stream";
import { ErrorCode, InstantIdError } from "../../core/index.js";
import {
  acceptKey,
  DEFAULT_MAX_MESSAGE_BYTES,
  encodeFrame,
  FrameParser,
  MessageAssembler,
  Opcode,
  WebSocketProtocolError,
} from "./websocket-frames.js";

/** A message received on a websocket: text or binary. */
export type WebSocketMessage = { readonly kind: "text"; readonly text: string } | { readonly kind: "binary"; readonly data: Buffer };

/** Options for {@link connectWebSocket}. */
export interface WebSocketOptions {
  readonly headers?: Record<string, string>;
  /** Handshake timeout (default 15 000 ms); an open connection may stay quiet for any time. */
  readonly timeoutMs?: number;
  /** Name of the server in messages. */
  readonly what?: string;
  /** Largest frame or message accepted (default 64 MiB); a larger one closes the connection with code 1009. */
  readonly maxMessageBytes?: number;
  /** How long {@link WebSocketConnection.close} waits for the server's close before dropping the socket (default 1000 ms). */
  readonly closeTimeoutMs?: number;
}

/**
 * A minimal RFC 6455 client connection: delivers whole messages, answers pings and
 * close frames, and reports how the connection ended. Node 20 has no stable global WebSocket.
 */
export class WebSocketConnection {
  /** Resolves when the connection ends: code 1006 when the socket dropped without a close frame. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly listeners = new Set<(message: WebSocketMessage) => void>();
  private closeSent = false;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Duplex,
    head: Buffer,
    private readonly options: Pick<WebSocketOptions, "maxMessageBytes" | "closeTimeoutMs"> = {},
  ) {
    const limit = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const parser = new FrameParser(limit);
    const assembler = new MessageAssembler(limit);
    let resolveClosed!: (value: { code: number; reason: string }) => void;
    this.closed = new Promise((resolve) => (resolveClosed = resolve));
    let closeInfo = { code: 1006, reason: "connection dropped" };
    const onData = (chunk: Buffer) => {
      try {
        for (const frame of parser.push(chunk)) {
          const message = assembler.add(frame);
          if (message) closeInfo = this.handle(message.opcode, message.payload) ?? closeInfo;
        }
      } catch (error) {
        if (!(error instanceof WebSocketProtocolError)) throw error;
        // A frame over the limit: say why, stop reading, and drop the connection (RFC 6455 §7.4.1, 1009).
        closeInfo = { code: error.code, reason: error.message };
        socket.off("data", onData);
        this.close(error.code);
        socket.destroy();
      }
    };
    socket.on("data", onData);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(this.closeTimer);
      resolveClosed(closeInfo);
    });
    if (head.length) onData(head);
  }

  /** Calls `listener` for every text or binary message; returns a function that unsubscribes. */
  onMessage(listener: (message: WebSocketMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends a text message. */
  send(text: string): void {
    this.socket.write(encodeFrame(Opcode.Text, Buffer.from(text), true));
  }

  /**
   * Starts the closing handshake and ends the socket; a server that never completes it is dropped
   * after `closeTimeoutMs`, so a finished client never waits on it (nor keeps the process alive).
   */
  close(code = 1000): void {
    if (!this.closeSent && !this.socket.destroyed) {
      this.closeSent = true;
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(code);
      this.socket.write(encodeFrame(Opcode.Close, payload, true));
      this.closeTimer = setTimeout(() => this.socket.destroy(), this.options.closeTimeoutMs ?? 1000);
      this.closeTimer.unref?.();
    }
    this.socket.end();
  }

  private handle(opcode: number, payload: Buffer): { code: number; reason: string } | undefined {
    if (opcode === Opcode.Text) this.emit({ kind: "text", text: payload.toString("utf8") });
    else if (opcode === Opcode.Binary) this.emit({ kind: "binary", data: payload });
    else if (opcode === Opcode.Ping) this.socket.write(encodeFrame(Opcode.Pong, payload, true));
    else if (opcode === Opcode.Close) {
      const info = { code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, reason: payload.subarray(2).toString("utf8") };
      this.close(info.code === 1005 ? 1000 : info.code);
      return info;
    }
    return undefined;
  }

  private emit(message: WebSocketMessage): void {
    for (const listener of this.listeners) listener(message);
  }
}

/** Opens a websocket to `url` (ws:// or wss://), verifying the server's handshake. */
export function connectWebSocket(url: string, options: WebSocketOptions = {}): Promise<WebSocketConnection> {
  const target = new URL(url);
  const secure = target.protocol === "wss:" || target.protocol === "https:";
  const key = randomBytes(16).toString("base64");
  const what = options.what ?? "server";
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)({
      protocol: secure ? "https:" : "http:",
      hostname: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      headers: { ...options.headers, connection: "Upgrade", upgrade: "websocket", "sec-websocket-key": key, "sec-websocket-version": "13" },
      timeout: options.timeoutMs ?? 15_000,
    });
    request.on("upgrade", (response: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (response.headers["sec-websocket-accept"] !== acceptKey(key)) {
        socket.destroy();
        reject(
          new InstantIdError(
            ErrorCode.Server,
            `The ${what} at ${target.host} answered the websocket handshake with a wrong Sec-WebSocket-Accept`,
          ),
        );
        return;
      }
      resolve(new WebSocketConnection(socket, head, options));
    });
    request.on("response", (response: IncomingMessage) => {
      response.resume();
      reject(
        new InstantIdError(
          ErrorCode.Server,
          `The ${what} refused the websocket at ${target.pathname} with HTTP ${response.statusCode}; does it serve a websocket there?`,
        ),
      );
    });
    request.on("timeout", () => request.destroy(new Error("websocket handshake timed out")));
    request.on("error", (error) =>
      reject(
        new InstantIdError(ErrorCode.Network, `Cannot open a websocket to the ${what} at ${target.host}: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    request.end();
  });
}
