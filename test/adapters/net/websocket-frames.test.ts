import { describe, expect, it } from "vitest";
import {
  acceptKey,
  encodeFrame,
  FrameParser,
  MessageAssembler,
  Opcode,
  WebSocketProtocolError,
} from "../../../adapters/net/websocket-frames.js";

describe("websocket frames (RFC 6455 examples)", () => {
  it("computes the handshake accept value of §1.3", () => {
    expect(acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("encodes the unmasked and masked 'Hello' frames of §5.7", () => {
    expect([...encodeFrame(Opcode.Text, Buffer.from("Hello"), false)]).toEqual([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    expect([...encodeFrame(Opcode.Text, Buffer.from("Hello"), Buffer.from([0x37, 0xfa, 0x21, 0x3d]))]).toEqual([
      0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ]);
  });

  it("uses 16-bit and 64-bit lengths for 256-byte and 64 KiB payloads", () => {
    expect([...encodeFrame(Opcode.Binary, new Uint8Array(256), false).subarray(0, 4)]).toEqual([0x82, 0x7e, 0x01, 0x00]);
    expect([...encodeFrame(Opcode.Binary, new Uint8Array(65536), false).subarray(0, 10)]).toEqual([0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]);
  });

  it("parses frames split across arbitrary chunks and unmasks them", () => {
    const bytes = Buffer.concat([
      encodeFrame(Opcode.Text, Buffer.from("Hello"), true),
      encodeFrame(Opcode.Binary, new Uint8Array(300).fill(7), false),
    ]);
    const parser = new FrameParser();
    const frames = [...bytes].flatMap((byte) => parser.push(Buffer.from([byte])));
    expect(frames.map((f) => f.opcode)).toEqual([Opcode.Text, Opcode.Binary]);
    expect(frames[0].payload.toString()).toBe("Hello");
    expect(frames[0].masked).toBe(true);
    expect(frames[1].payload.length).toBe(300);
  });

  it("reassembles the fragmented 'Hel' + 'lo' message of §5.7, letting control frames through", () => {
    const assembler = new MessageAssembler();
    expect(assembler.add({ fin: false, opcode: Opcode.Text, masked: false, payload: Buffer.from("Hel") })).toBeUndefined();
    expect(assembler.add({ fin: true, opcode: Opcode.Ping, masked: false, payload: Buffer.from("x") })?.opcode).toBe(Opcode.Ping);
    expect(assembler.add({ fin: true, opcode: Opcode.Continuation, masked: false, payload: Buffer.from("lo") })?.payload.toString()).toBe(
      "Hello",
    );
  });

  it("refuses frames and fragmented messages over the limit from their headers", () => {
    const header = Buffer.from([0x82, 127, 0x40, 0, 0, 0, 0, 0, 0, 0]); // 2^62 bytes claimed
    expect(() => new FrameParser(1024).push(header)).toThrow(WebSocketProtocolError);
    const assembler = new MessageAssembler(8);
    assembler.add({ fin: false, opcode: Opcode.Text, masked: false, payload: Buffer.alloc(6) });
    expect(() => assembler.add({ fin: true, opcode: Opcode.Continuation, masked: false, payload: Buffer.alloc(6) })).toThrow(
      /past the 8 bytes/,
    );
  });

  it("assembles a large frame fed in many small chunks", () => {
    const payload = Buffer.alloc(300_000, 7);
    const frame = encodeFrame(Opcode.Binary, payload, false);
    const parser = new FrameParser();
    const frames = [];
    for (let at = 0; at < frame.length; at += 1000) frames.push(...parser.push(frame.subarray(at, at + 1000)));
    expect(frames).toHaveLength(1);
    expect(frames[0].payload.equals(payload)).toBe(true);
  });
});
