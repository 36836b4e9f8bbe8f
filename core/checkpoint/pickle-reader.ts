import { ErrorCode, InstantIdError } from "../errors.js";

/**
 * A value the pickle reader produces: Python None/bool/int/float/str/bytes, lists and tuples as
 * arrays, dicts as Maps, and whatever the whitelisted callables return (opaque objects).
 */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | Map<PickleValue, PickleValue>
  | PickleObject;

/** An object produced by a whitelisted global (a tensor reference, a storage type); the reader never looks inside. */
export interface PickleObject {
  readonly pickleKind: string;
}

/** A Python callable the reader may REDUCE with: the only way a pickle can build anything beyond plain data. */
export interface PickleCallable extends PickleObject {
  readonly pickleKind: "callable";
  readonly qualifiedName: string;
  call(args: PickleValue[]): PickleValue;
}

/** What the caller allows: globals by "module.name", and how persistent ids are resolved. */
export interface PickleEnvironment {
  /** Returns the value of an allowed global, or undefined to refuse it. */
  resolveGlobal(module: string, name: string): PickleValue | undefined;
  persistentLoad(id: PickleValue): PickleValue;
  /** The allowed globals, listed in refusals. */
  readonly allowed: readonly string[];
  /** Names the file in messages. */
  readonly source: string;
}

const MARK = Symbol("mark");
/** Longest LONG1/LONG4 accepted, in bytes. */
const MAX_LONG_BYTES = 64;
type StackItem = PickleValue | typeof MARK;

/** Refusal of a global the environment does not allow; names the global so users know what the file tried to do. */
export function refusedGlobal(source: string, qualifiedName: string, allowed: string): InstantIdError {
  return new InstantIdError(
    ErrorCode.UnsafeCheckpoint,
    `${source} refers to ${qualifiedName}, which is not allowed in a checkpoint: only plain state dicts (${allowed}) are read, ` +
      `and nothing in the file is ever executed. If you trust the file, convert it to safetensors with a tool you trust.`,
    { details: { source, global: qualifiedName } },
  );
}

/**
 * Runs a pickle program as data only: it implements the opcodes plain containers and torch state
 * dicts use, resolves globals through the environment's whitelist, and never imports or calls
 * anything else. Opcodes that instantiate classes directly (INST, OBJ, NEWOBJ, EXT) are refused.
 */
export function readPickle(bytes: Uint8Array, env: PickleEnvironment): PickleValue {
  return new PickleMachine(bytes, env).run();
}

class PickleMachine {
  private position = 0;
  private stack: StackItem[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PickleValue>();
  private readonly view: DataView;
  private readonly text = new TextDecoder("utf-8", { fatal: false });

  constructor(
    private readonly bytes: Uint8Array,
    private readonly env: PickleEnvironment,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(why: string, code: ErrorCode = ErrorCode.FileCorrupt): InstantIdError {
    return new InstantIdError(
      code,
      `${this.env.source}: cannot read its pickle (${why}); the checkpoint is damaged or not a torch state dict`,
      {
        details: { source: this.env.source, position: this.position },
      },
    );
  }

  private take(length: number): Uint8Array {
    if (length < 0 || this.position + length > this.bytes.byteLength) throw this.fail("it ends in the middle of an opcode");
    const out = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return out;
  }

  private u8 = () => this.take(1)[0];
  private u16 = () => this.view.getUint16(this.advance(2), true);
  private u32 = () => this.view.getUint32(this.advance(4), true);
  private i32 = () => this.view.getInt32(this.advance(4), true);
  private u64 = () => Number(this.view.getBigUint64(this.advance(8), true));

  private advance(length: number): number {
    const at = this.position;
    this.take(length);
    return at;
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.position);
    if (end < 0) throw this.fail("a text opcode has no end of line");
    const value = this.text.decode(this.bytes.subarray(this.position, end));
    this.position = end + 1;
    return value;
  }

  private pop(): PickleValue {
    const value = this.stack.pop();
    if (value === undefined || value === MARK) throw this.fail("the stack is empty where a value was expected");
    return value;
  }

  private top(): PickleValue {
    const value = this.stack[this.stack.length - 1];
    if (value === undefined || value === MARK) throw this.fail("the stack is empty where a value was expected");
    return value;
  }

  private popMark(): PickleValue[] {
    const at = this.marks.pop();
    if (at === undefined) throw this.fail("an opcode needs a MARK that is missing");
    const items = this.stack.splice(at) as PickleValue[];
    items.shift();
    return items;
  }

  private push(value: StackItem): void {
    if (value === MARK) this.marks.push(this.stack.length);
    this.stack.push(value);
  }

  private get(index: number): PickleValue {
    if (!this.memo.has(index)) throw this.fail(`memo entry ${index} is read before it is written`);
    return this.memo.get(index)!;
  }

  run(): PickleValue {
    for (;;) {
      const opcode = this.u8();
      if (opcode === 0x2e) return this.pop(); // STOP
      this.step(opcode);
    }
  }

  private step(opcode: number): void {
    switch (opcode) {
      case 0x80:
        this.u8();
        return; // PROTO
      case 0x95:
        this.u64();
        return; // FRAME
      case 0x28:
        this.push(MARK);
        return;
      case 0x30:
        this.pop();
        return; // POP
      case 0x31:
        this.popMark();
        return; // POP_MARK
      case 0x32:
        this.push(this.top());
        return; // DUP
      case 0x4e:
        this.push(null);
        return;
      case 0x88:
        this.push(true);
        return;
      case 0x89:
        this.push(false);
        return;
      case 0x4b:
        this.push(this.u8());
        return; // BININT1
      case 0x4d:
        this.push(this.u16());
        return; // BININT2
      case 0x4a:
        this.push(this.i32());
        return; // BININT
      case 0x8a:
        this.push(this.long(this.u8()));
        return; // LONG1
      case 0x8b:
        this.push(this.long(this.u32()));
        return; // LONG4
      case 0x49:
        this.push(this.textInt(this.line()));
        return; // INT
      case 0x4c:
        this.push(this.textInt(this.line().replace(/L$/, "")));
        return; // LONG
      case 0x46:
        this.push(Number.parseFloat(this.line()));
        return; // FLOAT
      case 0x47:
        this.push(this.view.getFloat64(this.advance(8), false));
        return; // BINFLOAT
      case 0x58:
        this.push(this.text.decode(this.take(this.u32())));
        return; // BINUNICODE
      case 0x8c:
        this.push(this.text.decode(this.take(this.u8())));
        return; // SHORT_BINUNICODE
      case 0x8d:
        this.push(this.text.decode(this.take(this.u64())));
        return; // BINUNICODE8
      case 0x54:
        this.push(this.take(this.i32()).slice());
        return; // BINSTRING
      case 0x55:
        this.push(this.take(this.u8()).slice());
        return; // SHORT_BINSTRING
      case 0x42:
        this.push(this.take(this.u32()).slice());
        return; // BINBYTES
      case 0x43:
        this.push(this.take(this.u8()).slice());
        return; // SHORT_BINBYTES
      case 0x8e:
        this.push(this.take(this.u64()).slice());
        return; // BINBYTES8
      case 0x29:
        this.push([]);
        return; // EMPTY_TUPLE
      case 0x5d:
        this.push([]);
        return; // EMPTY_LIST
      case 0x7d:
        this.push(new Map());
        return; // EMPTY_DICT
      case 0x8f:
        this.push([]);
        return; // EMPTY_SET
      case 0x74:
      case 0x6c:
        this.push(this.popMark());
        return; // TUPLE, LIST
      case 0x85:
        this.push([this.pop()]);
        return; // TUPLE1
      case 0x86: {
        const b = this.pop();
        this.push([this.pop(), b]);
        return;
      } // TUPLE2
      case 0x87: {
        const c = this.pop();
        const b = this.pop();
        this.push([this.pop(), b, c]);
        return;
      } // TUPLE3
      case 0x91:
        this.push(this.popMark());
        return; // FROZENSET
      case 0x64:
        this.push(this.pairs(new Map(), this.popMark()));
        return; // DICT
      case 0x61: {
        const v = this.pop();
        this.list(this.top()).push(v);
        return;
      } // APPEND
      case 0x65:
      case 0x90: {
        const items = this.popMark();
        const list = this.list(this.top());
        for (const item of items) list.push(item);
        return;
      } // APPENDS, ADDITEMS
      case 0x73: {
        const v = this.pop();
        const k = this.pop();
        this.dict(this.top()).set(k, v);
        return;
      } // SETITEM
      case 0x75: {
        const items = this.popMark();
        this.pairs(this.dict(this.top()), items);
        return;
      } // SETITEMS
      case 0x71:
        this.memo.set(this.u8(), this.top());
        return; // BINPUT
      case 0x72:
        this.memo.set(this.u32(), this.top());
        return; // LONG_BINPUT
      case 0x70:
        this.memo.set(Number(this.line()), this.top());
        return; // PUT
      case 0x94:
        this.memo.set(this.memo.size, this.top());
        return; // MEMOIZE
      case 0x68:
        this.push(this.get(this.u8()));
        return; // BINGET
      case 0x6a:
        this.push(this.get(this.u32()));
        return; // LONG_BINGET
      case 0x67:
        this.push(this.get(Number(this.line())));
        return; // GET
      case 0x63: {
        const module = this.line();
        this.push(this.global(module, this.line()));
        return;
      } // GLOBAL
      case 0x93: {
        const name = this.pop();
        this.push(this.global(this.pop(), name));
        return;
      } // STACK_GLOBAL
      case 0x52: {
        const args = this.pop();
        this.push(this.reduce(this.pop(), args));
        return;
      } // REDUCE
      case 0x62:
        this.build(this.pop(), this.top());
        return; // BUILD
      case 0x51:
        this.push(this.env.persistentLoad(this.pop()));
        return; // BINPERSID
      default:
        throw this.fail(`opcode 0x${opcode.toString(16)} is not one a state dict uses, so it is refused`, ErrorCode.UnsafeCheckpoint);
    }
  }

  private long(length: number): number | bigint {
    // Python allows any length, but building a huge BigInt byte by byte is quadratic; state dicts hold 64-bit values.
    if (length > MAX_LONG_BYTES) throw this.fail(`a LONG of ${length} bytes is larger than a state dict uses`);
    const bytes = this.take(length);
    let value = 0n;
    for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
    if (length > 0 && bytes[length - 1] & 0x80) value -= 1n << BigInt(8 * length);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  private textInt(text: string): number | boolean | bigint {
    if (text === "00") return false;
    if (text === "01") return true;
    if (!/^[+-]?\d{1,40}$/.test(text.trim()))
      throw this.fail(`${JSON.stringify(text.slice(0, 40))} is not a decimal integer a state dict uses`);
    const value = BigInt(text.trim());
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  private list(value: PickleValue): PickleValue[] {
    if (!Array.isArray(value)) throw this.fail("APPEND targets something that is not a list");
    return value;
  }

  private dict(value: PickleValue): Map<PickleValue, PickleValue> {
    if (!(value instanceof Map)) throw this.fail("SETITEM targets something that is not a dict");
    return value;
  }

  private pairs(map: Map<PickleValue, PickleValue>, items: PickleValue[]): Map<PickleValue, PickleValue> {
    if (items.length % 2) throw this.fail("a dict has a key without a value");
    for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
    return map;
  }

  private global(module: PickleValue, name: PickleValue): PickleValue {
    if (typeof module !== "string" || typeof name !== "string") throw this.fail("a global is named by something that is not a string");
    const value = this.env.resolveGlobal(module, name);
    if (value === undefined) throw refusedGlobal(this.env.source, `${module}.${name}`, this.env.allowed.join(", "));
    return value;
  }

  private reduce(callable: PickleValue, args: PickleValue): PickleValue {
    if (!isCallable(callable)) throw this.fail("REDUCE calls something that is not an allowed callable", ErrorCode.UnsafeCheckpoint);
    if (!Array.isArray(args)) throw this.fail(`REDUCE of ${callable.qualifiedName} has no argument tuple`);
    return callable.call(args);
  }

  /** Only dicts accept state (OrderedDict's `_metadata`), and the state is dropped: it never affects tensors. */
  private build(_state: PickleValue, target: PickleValue): void {
    if (!(target instanceof Map)) throw this.fail("BUILD targets something other than a dict", ErrorCode.UnsafeCheckpoint);
  }
}

function isCallable(value: PickleValue): value is PickleCallable {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Map) &&
    !(value instanceof Uint8Array) &&
    value.pickleKind === "callable"
  );
}
