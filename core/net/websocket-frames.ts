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
  return createHash("sha1").update(key + acceptGuid).digest("base64");
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

/** Splits a byte stream into frames; feed it chunks as they arrive. */
export class FrameParser {
  private buffer: Buffer = Buffer.alloc(0);

  /** Adds bytes and returns every frame now complete. */
  push(chunk: Buffer): WebSocketFrame[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: WebSocketFrame[] = [];
    for (let frame = this.next(); frame; frame = this.next()) frames.push(frame);
    return frames;
  }

  private next(): WebSocketFrame | undefined {
    const b = this.buffer;
    if (b.length < 2) return undefined;
    const masked = (b[1] & 0x80) !== 0;
    let length = b[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      length = Number(b.readBigUInt64BE(2));
      offset = 10;
    }
    const maskOffset = offset;
    if (masked) offset += 4;
    if (b.length < offset + length) return undefined;
    const payload = Buffer.from(b.subarray(offset, offset + length));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= b[maskOffset + (i & 3)];
    this.buffer = b.subarray(offset + length);
    return { fin: (b[0] & 0x80) !== 0, opcode: b[0] & 0x0f, masked, payload };
  }
}

/** Reassembles fragmented messages (RFC 6455 §5.4) from a frame sequence. */
export class MessageAssembler {
  private parts: Buffer[] = [];
  private opcode = 0;

  /** Returns a whole message when `frame` completes one, else undefined. Control frames pass through. */
  add(frame: WebSocketFrame): { opcode: number; payload: Buffer } | undefined {
    if (frame.opcode >= 0x8) return { opcode: frame.opcode, payload: frame.payload };
    if (frame.opcode !== Opcode.Continuation) {
      this.opcode = frame.opcode;
      this.parts = [];
    }
    this.parts.push(frame.payload);
    if (!frame.fin) return undefined;
    const message = { opcode: this.opcode, payload: Buffer.concat(this.parts) };
    this.parts = [];
    return message;
  }
}
