import { open, type FileHandle } from "node:fs/promises";

// Just enough of the protobuf wire format to list an ONNX model's first nodes without loading its weights:
// ModelProto.graph is field 7, GraphProto.node field 1, NodeProto.name field 3 and op_type field 4.
const CHUNK = 1 << 16;

/** A forward-only reader over a file that fetches 64 KiB at a time and can skip big fields without reading them. */
class FileCursor {
  private buffer = new Uint8Array(0);
  private bufferStart = 0;
  position = 0;

  constructor(
    private readonly file: FileHandle,
    readonly size: number,
  ) {}

  private async fill(): Promise<void> {
    const buffer = new Uint8Array(Math.min(CHUNK, this.size - this.position));
    await this.file.read(buffer, 0, buffer.length, this.position);
    this.buffer = buffer;
    this.bufferStart = this.position;
  }

  async byte(): Promise<number> {
    if (this.position >= this.size) throw new Error("unexpected end of file");
    if (this.position - this.bufferStart >= this.buffer.length || this.position < this.bufferStart) await this.fill();
    return this.buffer[this.position++ - this.bufferStart];
  }

  async varint(): Promise<number> {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      const b = await this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
    throw new Error("malformed varint");
  }

  async text(length: number): Promise<string> {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = await this.byte();
    return new TextDecoder().decode(bytes);
  }

  /** Skips the value of a field of the given wire type. */
  async skip(wireType: number): Promise<void> {
    if (wireType === 0) await this.varint();
    else if (wireType === 1) this.position += 8;
    else if (wireType === 2) {
      const length = await this.varint();
      this.position += length;
    } else if (wireType === 5) this.position += 4;
    else throw new Error(`unsupported protobuf wire type ${wireType}`);
  }
}

/** One graph node's name and operator type. */
export interface OnnxNodeInfo {
  readonly name: string;
  readonly opType: string;
}

async function readNode(cursor: FileCursor, end: number): Promise<OnnxNodeInfo> {
  let name = "";
  let opType = "";
  while (cursor.position < end) {
    const key = await cursor.varint();
    const [field, wire] = [Math.floor(key / 8), key & 7];
    if ((field === 3 || field === 4) && wire === 2) {
      const text = await cursor.text(await cursor.varint());
      if (field === 3) name = text;
      else opType = text;
    } else await cursor.skip(wire);
  }
  cursor.position = end;
  return { name, opType };
}

/** Walks to ModelProto.graph and returns the first `count` nodes, skipping everything else. */
async function scan(cursor: FileCursor, count: number): Promise<OnnxNodeInfo[]> {
  while (cursor.position < cursor.size) {
    const key = await cursor.varint();
    if (key === (7 << 3) + 2) {
      const graphEnd = (await cursor.varint()) + cursor.position;
      const nodes: OnnxNodeInfo[] = [];
      while (cursor.position < graphEnd && nodes.length < count) {
        const inner = await cursor.varint();
        if (inner === (1 << 3) + 2) {
          const length = await cursor.varint();
          nodes.push(await readNode(cursor, cursor.position + length));
        } else await cursor.skip(inner & 7);
      }
      return nodes;
    }
    await cursor.skip(key & 7);
  }
  return [];
}

/** The first `count` nodes of an ONNX model file (insightface looks at 8 to guess a recognizer's normalisation). */
export async function readFirstOnnxNodes(path: string, count = 8): Promise<OnnxNodeInfo[]> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    return await scan(new FileCursor(file, size), count);
  } finally {
    await file.close();
  }
}
