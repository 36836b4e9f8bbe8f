import { describe, expect, it } from "vitest";
import { readPickle, type PickleEnvironment } from "../../../core/checkpoint/pickle-reader.js";
import { InstantIdError } from "../../../core/errors.js";

const env: PickleEnvironment = {
  source: "test.pkl",
  allowed: ["collections.OrderedDict"],
  resolveGlobal: (module, name) =>
    module === "collections" && name === "OrderedDict"
      ? { pickleKind: "callable", qualifiedName: "collections.OrderedDict", call: () => new Map() }
      : undefined,
  persistentLoad: (id) => ({ pickleKind: "persistent", id }) as never,
};

const bytes = (...parts: (number | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "number" ? [p] : [...Buffer.from(p, "latin1")])));

function refusal(program: Uint8Array): InstantIdError {
  try {
    readPickle(program, env);
  } catch (error) {
    return error as InstantIdError;
  }
  throw new Error("the pickle was accepted");
}

describe("readPickle", () => {
  it("reads dicts, tuples, lists, ints, floats, strings and booleans", () => {
    // {"a": (1, 300, -2, 2**40), "b": [True, None, 1.5], "c": "hé"} in protocol 2 opcodes
    const program = bytes(
      0x80,
      2,
      0x7d,
      0x28,
      0x58,
      1,
      0,
      0,
      0,
      "a",
      0x28,
      0x4b,
      1,
      0x4d,
      0x2c,
      0x01,
      0x4a,
      0xfe,
      0xff,
      0xff,
      0xff,
      0x8a,
      6,
      0,
      0,
      0,
      0,
      0,
      1,
      0x74,
      0x58,
      1,
      0,
      0,
      0,
      "b",
      0x5d,
      0x28,
      0x88,
      0x4e,
      0x47,
      0x3f,
      0xf8,
      0,
      0,
      0,
      0,
      0,
      0,
      0x65,
      0x8c,
      1,
      "c",
      0x8c,
      3,
      0x68,
      0xc3,
      0xa9,
      0x75,
      0x2e,
    );
    const value = readPickle(program, env) as Map<string, unknown>;
    expect(value.get("a")).toEqual([1, 300, -2, 2 ** 40]);
    expect(value.get("b")).toEqual([true, null, 1.5]);
    expect(value.get("c")).toBe("hé");
  });

  it("resolves memo entries written by BINPUT and read by BINGET", () => {
    const program = bytes(0x80, 2, 0x8c, 1, "x", 0x71, 0, 0x30, 0x68, 0, 0x85, 0x2e);
    expect(readPickle(program, env)).toEqual(["x"]);
  });

  it("builds allowed globals through REDUCE and accepts BUILD state on a dict", () => {
    const program = bytes(0x80, 2, "ccollections\nOrderedDict\n", 0x29, 0x52, 0x7d, 0x62, 0x2e);
    expect(readPickle(program, env)).toBeInstanceOf(Map);
  });

  it("refuses a global outside the whitelist, naming it, before anything is called", () => {
    const error = refusal(bytes(0x80, 2, "cposix\nsystem\n", 0x8c, 2, "id", 0x85, 0x52, 0x2e));
    expect(error).toBeInstanceOf(InstantIdError);
    expect(error.code).toBe("UNSAFE_CHECKPOINT");
    expect(error.message).toContain("posix.system");
    expect(error.message).toContain("collections.OrderedDict");
  });

  it("refuses STACK_GLOBAL of builtins.eval", () => {
    const error = refusal(bytes(0x80, 4, 0x8c, 8, "builtins", 0x8c, 4, "eval", 0x93, 0x2e));
    expect(error.message).toContain("builtins.eval");
  });

  it("refuses opcodes that instantiate classes directly (INST, OBJ, NEWOBJ)", () => {
    for (const opcode of [0x69, 0x6f, 0x81]) {
      const error = refusal(bytes(0x80, 2, 0x28, opcode, 0x2e));
      expect(error.code).toBe("UNSAFE_CHECKPOINT");
      expect(error.message).toContain(`0x${opcode.toString(16)}`);
    }
  });

  it("reports a truncated program as a corrupt file instead of crashing", () => {
    const error = refusal(bytes(0x80, 2, 0x58, 100, 0, 0, 0, "ab"));
    expect(error.code).toBe("FILE_CORRUPT");
  });

  it("reports a memo read before its write", () => {
    expect(refusal(bytes(0x80, 2, 0x68, 7, 0x2e)).message).toContain("memo entry 7");
  });
});
