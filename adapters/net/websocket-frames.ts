import { createHash, randomBytes } from "node:crypto";

/** RFC 6455 opcodes the SDK handles. */
export const Opcode = { Continuation: 0x0, Text: 0x1, Binary: 0x2, Close: 0x8, Ping: 0x9, Pong: 0xa } as const;

/** One decoded frame. */
export interface WebSocketFrame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly masked: boolean;
  readonly payload: Buffer;
}

const acceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** The `Sec-WebSocket-Accept` value a server must answer to a `Sec-WebSocket-Key` (RFC 6455 §4.2.2). */
export function acceptKey(key: string): string {
  return createHash("sha1")
    .update(key + acceptGuid)
    .digest("base64");
}

/** Encodes one final frame; clients must mask (RFC 6455 §5.3), servers must not. */
export function encodeFrame(opcode: number, payload: Uint8Array, mask: Uint8Array | boolean): Buffer {
  const maskKey = mask === true ? randomBytes(4) : mask === false ? undefined : Buffer.from(mask);
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (maskKey ? 4 : 0));
  header[0] = 0x80 | opcode;
  header[1] = (maskKey ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) header.writeUInt16BE(length, 2);
  if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(length), 2);
  if (!maskKey) return Buffer.concat([header, payload]);
  maskKey.copy(header, 2 + lengthBytes);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= maskKey[i & 3];
  return Buffer.concat([header, body]);
}

/** Largest websocket message accepted by default (ComfyUI's previews are a few MB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** A peer broke the protocol or a limit: the connection must close with `code` (RFC 6455 §7.4.1). */
export class WebSocketProtocolError extends Error {
  override readonly name = "WebSocketProtocolError";
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Splits a byte stream into frames; feed it chunks as they arrive. A frame that claims more than
 * `maxFrameBytes` is refused from its header (close code 1009), before any of it is buffered, and
 * chunks are kept as a list until a frame is complete, so a slow large frame costs linear time.
 */
export class FrameParser {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_MESSAGE_BYTES) {}

  /** Adds bytes and returns every frame now complete; throws {@link WebSocketProtocolError} on a frame over the limit. */
  push(chunk: Buffer): WebSocketFrame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: WebSocketFrame[] = [];
    for (let frame = this.next(); frame; frame = this.next()) frames.push(frame);
    return frames;
  }

  /** The first `length` buffered bytes as one buffer (joining chunks only when a frame needs them). */
  private head(length: number): Buffer {
    if (this.chunks[0].length < length) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }

  private consume(length: number): void {
    const joined = this.head(length);
    this.chunks.shift();
    if (joined.length > length) this.chunks.unshift(joined.subarray(length));
    this.buffered -= length;
  }

  private next(): WebSocketFrame | undefined {
    if (this.buffered < 2) return undefined;
    const start = this.head(Math.min(this.buffered, 14));
    const masked = (start[1] & 0x80) !== 0;
    let length = start[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (start.length < 4) return undefined;
      length = start.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (start.length < 10) return undefined;
      const long = start.readBigUInt64BE(2);
      if (long > BigInt(this.maxFrameBytes))
        throw new WebSocketProtocolError(1009, `a frame claims ${long} bytes, more than the ${this.maxFrameBytes} accepted`);
      length = Number(long);
      offset = 10;
    }
    if (length > this.maxFrameBytes)
      throw new WebSocketProtocolError(1009, `a frame claims ${length} bytes, more than the ${this.maxFrameBytes} accepted`);
    const maskOffset = offset;
    if (masked) offset += 4;
    if (this.buffered < offset + length) return undefined;
    const b = this.head(offset + length);
    const payload = Buffer.from(b.subarray(offset, offset + length));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= b[maskOffset + (i & 3)];
    const frame = { fin: (b[0] & 0x80) !== 0, opcode: b[0] & 0x0f, masked, payload };
    this.consume(offset + length);
    return frame;
  }
}

/** Reassembles fragmented messages (RFC 6455 §5.4) from a frame sequence, refusing messages over `maxMessageBytes`. */
export class MessageAssembler {
  private parts: Buffer[] = [];
  private size = 0;
  private opcode = 0;

  constructor(private readonly maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES) {}

  /** Returns a whole message when `frame` completes one, else undefined. Control frames pass through. */
  add(frame: WebSocketFrame): { opcode: number; payload: Buffer } | undefined {
    if (frame.opcode >= 0x8) return { opcode: frame.opcode, payload: frame.payload };
    if (frame.opcode !== Opcode.Continuation) {
      this.opcode = frame.opcode;
      this.parts = [];
      this.size = 0;
    }
    this.size += frame.payload.length;
    if (this.size > this.maxMessageBytes)
      throw new WebSocketProtocolError(1009, `a message grows past the ${this.maxMessageBytes} bytes accepted`);
    this.parts.push(frame.payload);
    if (!frame.fin) return undefined;
    const message = { opcode: this.opcode, payload: Buffer.concat(this.parts) };
    this.parts = [];
    this.size = 0;
    return message;
  }
}
