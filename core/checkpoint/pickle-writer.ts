/** Builds a protocol-2 pickle from a few primitives: exactly what torch.save needs for state dicts. */
export class PickleWriter {
  private readonly chunks: number[] = [];
  private readonly encoder = new TextEncoder();

  /** Starts a protocol-2 program. */
  constructor() {
    this.bytes(0x80, 2); // PROTO 2
  }

  private bytes(...values: number[]): this {
    for (const v of values) this.chunks.push(v);
    return this;
  }

  private u32(value: number): this {
    return this.bytes(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
  }

  /** MARK: the start of a variable-length tuple or of SETITEMS' pairs. */
  mark(): this {
    return this.bytes(0x28);
  }

  /** TUPLE: everything since the last mark becomes a tuple. */
  tuple(): this {
    return this.bytes(0x74);
  }

  /** A tuple of small integers (shapes, strides). */
  intTuple(values: readonly number[]): this {
    if (values.length === 0) return this.bytes(0x29);
    this.mark();
    for (const v of values) this.int(v);
    return this.tuple();
  }

  /** EMPTY_DICT. */
  emptyDict(): this {
    return this.bytes(0x7d);
  }

  /** SETITEMS: the pairs since the last mark go into the dict below them. */
  setItems(): this {
    return this.bytes(0x75);
  }

  /** REDUCE: call the global below with the tuple on top. */
  reduce(): this {
    return this.bytes(0x52);
  }

  /** BINPERSID: the tuple on top is a persistent id (a storage reference). */
  binPersId(): this {
    return this.bytes(0x51);
  }

  /** EMPTY_TUPLE. */
  emptyTuple(): this {
    return this.bytes(0x29);
  }

  /** NEWTRUE / NEWFALSE. */
  bool(value: boolean): this {
    return this.bytes(value ? 0x88 : 0x89);
  }

  /** GLOBAL `module name`. */
  global(module: string, name: string): this {
    this.bytes(0x63);
    for (const byte of this.encoder.encode(`${module}\n${name}\n`)) this.chunks.push(byte);
    return this;
  }

  /** BINUNICODE. */
  string(value: string): this {
    const encoded = this.encoder.encode(value);
    this.bytes(0x58).u32(encoded.byteLength);
    for (const byte of encoded) this.chunks.push(byte);
    return this;
  }

  /** The shortest integer opcode for a non-negative safe integer. */
  int(value: number): this {
    if (value >= 0 && value < 0x100) return this.bytes(0x4b, value);
    if (value >= 0 && value < 0x10000) return this.bytes(0x4d, value & 0xff, value >>> 8);
    if (value >= -0x80000000 && value < 0x80000000) return this.bytes(0x4a).u32(value);
    const out: number[] = [];
    let rest = BigInt(value);
    do {
      out.push(Number(rest & 0xffn));
      rest >>= 8n;
    } while (rest !== 0n && rest !== -1n);
    if ((out[out.length - 1] & 0x80) !== (value < 0 ? 0x80 : 0)) out.push(value < 0 ? 0xff : 0);
    return this.bytes(0x8a, out.length, ...out);
  }

  /** SETITEM: one key and value into the dict below them. */
  setItem(): this {
    return this.bytes(0x73);
  }

  /** BINPUT / LONG_BINPUT: remember the top of the stack as memo entry `index`. */
  put(index: number): this {
    return index < 0x100 ? this.bytes(0x71, index) : this.bytes(0x72).u32(index);
  }

  /** BINGET / LONG_BINGET: push memo entry `index` again (the same object, shared). */
  get(index: number): this {
    return index < 0x100 ? this.bytes(0x68, index) : this.bytes(0x6a).u32(index);
  }

  /** BINFLOAT: a float64, big-endian as pickle stores it. */
  float(value: number): this {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, false);
    return this.bytes(0x47, ...bytes);
  }

  /** STOP, and the finished program. */
  finish(): Uint8Array {
    this.bytes(0x2e);
    return Uint8Array.from(this.chunks);
  }
}
