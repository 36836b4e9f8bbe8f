import type { ClientRequest, IncomingMessage } from "node:http";
import WebSocket from "ws";
import { ErrorCode, InstantIdError } from "../../core/index.js";

/** Largest websocket message accepted by default (ComfyUI's previews are a few MB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** A message received on a websocket: text or binary. */
export type WebSocketMessage = { readonly kind: "text"; readonly text: string } | { readonly kind: "binary"; readonly data: Buffer };

/** How a connection ended: the close code (1006 when the socket dropped without a close frame) and its reason. */
export interface WebSocketClose {
  readonly code: number;
  readonly reason: string;
}

/** Options for {@link connectWebSocket}. */
export interface WebSocketOptions {
  readonly headers?: Record<string, string>;
  /** Handshake timeout (default 15 000 ms); an open connection may stay quiet for any time. */
  readonly timeoutMs?: number;
  /** Name of the server in messages. */
  readonly what?: string;
  /**
   * Largest frame or message accepted (default {@link DEFAULT_MAX_MESSAGE_BYTES}); a larger one is refused from
   * its header, before any of it is buffered, and the connection closes with code 1009.
   */
  readonly maxMessageBytes?: number;
  /** How long {@link WebSocketConnection.close} waits for the server's close before dropping the socket (default 1000 ms). */
  readonly closeTimeoutMs?: number;
}

/** The close code ws sends for each of its protocol errors (RFC 6455 §7.4.1); any other is 1002, protocol error. */
const CLOSE_CODES: Readonly<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: 1009,
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_TOO_MANY_BUFFERED_PARTS: 1008,
  WS_ERR_INVALID_UTF8: 1007,
};

/** At most this many messages wait for the first listener; later ones before it are dropped. */
const MAX_EARLY_MESSAGES = 64;

/**
 * A client connection: delivers whole messages, reports how the connection ended, and never keeps the process
 * alive once closed. (An interface, so that the declarations users compile against do not name `ws`'s types.)
 */
export interface WebSocketConnection {
  /** Resolves when the connection ends: code 1006 when the socket dropped without a close frame. */
  readonly closed: Promise<WebSocketClose>;
  /**
   * Calls `listener` for every text or binary message; returns a function that unsubscribes. The first
   * listener also receives, at once, the messages that arrived before it (up to 64).
   */
  onMessage(listener: (message: WebSocketMessage) => void): () => void;
  /** Sends a text message (dropped once the connection is closing). */
  send(text: string): void;
  /** Starts the closing handshake; a server that never completes it is dropped after `closeTimeoutMs`. */
  close(code?: number): void;
}

/** {@link WebSocketConnection} on `ws` (which answers pings and reassembles fragments). */
class WsConnection implements WebSocketConnection {
  /** Resolves when the connection ends: code 1006 when the socket dropped without a close frame. */
  readonly closed: Promise<WebSocketClose>;
  private readonly listeners = new Set<(message: WebSocketMessage) => void>();
  /** Messages that came before the first listener (a server greets as soon as the socket opens). */
  private early: WebSocketMessage[] | undefined = [];
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly options: Pick<WebSocketOptions, "maxMessageBytes" | "closeTimeoutMs"> = {},
  ) {
    let refused: WebSocketClose | undefined;
    this.closed = new Promise((resolve) => {
      socket.on("close", (code: number, reason: Buffer) => {
        clearTimeout(this.graceTimer);
        resolve(refused ?? { code, reason: reason.toString("utf8") });
      });
    });
    socket.on("message", (data: Buffer, isBinary: boolean) =>
      this.emit(isBinary ? { kind: "binary", data } : { kind: "text", text: data.toString("utf8") }),
    );
    // ws has already answered a broken or oversized frame with a close frame (1009, 1002...); say why, and
    // drop the socket after the grace period if the server never completes the closing handshake.
    socket.on("error", (error: Error & { code?: string }) => {
      const code = CLOSE_CODES[error.code ?? ""] ?? 1002;
      const limit = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
      refused = {
        code,
        reason: code === 1009 ? `a frame or message over the ${limit} bytes accepted was refused (${error.message})` : error.message,
      };
      this.dropAfterGrace();
    });
  }

  /**
   * Calls `listener` for every text or binary message; returns a function that unsubscribes. The first
   * listener also receives, at once, the messages that arrived before it (up to 64), so a greeting sent
   * as the socket opened is not lost between `await connectWebSocket(...)` and this call.
   */
  onMessage(listener: (message: WebSocketMessage) => void): () => void {
    this.listeners.add(listener);
    const early = this.early ?? [];
    this.early = undefined;
    for (const message of early) listener(message);
    return () => this.listeners.delete(listener);
  }

  /** Sends a text message (dropped once the connection is closing). */
  send(text: string): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
  }

  /**
   * Starts the closing handshake; a server that never completes it is dropped after `closeTimeoutMs`
   * (an unreferenced timer), so a finished client never waits on it, nor keeps the process alive.
   */
  close(code = 1000): void {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(code);
    this.dropAfterGrace();
  }

  private dropAfterGrace(): void {
    if (this.graceTimer || this.socket.readyState === WebSocket.CLOSED) return;
    // terminate() destroys the socket, which also clears ws's own (30 s, referenced) close timer.
    this.graceTimer = setTimeout(() => this.socket.terminate(), this.options.closeTimeoutMs ?? 1000);
    this.graceTimer.unref();
  }

  private emit(message: WebSocketMessage): void {
    if (this.early && this.early.length < MAX_EARLY_MESSAGES) this.early.push(message);
    for (const listener of this.listeners) listener(message);
  }
}

/** Opens a websocket to `url` (ws:// or wss://); every failure to open is a typed {@link InstantIdError}. */
export function connectWebSocket(url: string, options: WebSocketOptions = {}): Promise<WebSocketConnection> {
  const target = new URL(url);
  const what = options.what ?? "server";
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(target, {
      headers: options.headers,
      handshakeTimeout: options.timeoutMs ?? 15_000,
      maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      // ComfyUI's previews are JPEG or PNG already: compression would gain nothing and add an inflate step for hostile input.
      perMessageDeflate: false,
    });
    const failed = (error: Error) => {
      socket.on("error", () => undefined); // ws may report the aborted handshake once more
      socket.terminate();
      reject(
        new InstantIdError(ErrorCode.Network, `Cannot open a websocket to the ${what} at ${target.host}: ${error.message}`, {
          cause: error,
        }),
      );
    };
    socket.once("error", failed);
    socket.once("unexpected-response", (request: ClientRequest, response: IncomingMessage) => {
      socket.off("error", failed);
      socket.on("error", () => undefined); // the refused handshake is reported below, once
      response.resume();
      request.destroy();
      reject(
        new InstantIdError(
          ErrorCode.Server,
          `The ${what} refused the websocket at ${target.pathname} with HTTP ${response.statusCode}; does it serve a websocket there?`,
          { details: { status: response.statusCode } },
        ),
      );
    });
    socket.once("open", () => {
      socket.off("error", failed);
      resolve(new WsConnection(socket, options));
    });
  });
}
