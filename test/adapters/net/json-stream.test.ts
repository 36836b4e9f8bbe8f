import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type JsonStreamOptions, parseJsonStream, type StringSink } from "../../../adapters/net/index.js";
import { InstantIdError } from "../../../core/index.js";
import { failure } from "../../helpers/failure.js";

const options: JsonStreamOptions = { what: "The answer", maxValueChars: 1000, maxDepth: 8, maxValues: 100 };

/** A body that sends `text` in pieces of `size` bytes (cutting through strings, escapes and UTF-8 characters). */
function bodyOf(text: string, size = 7): Readable {
  const bytes = Buffer.from(text);
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
  return Readable.from(pieces);
}

/** A sink that records the pieces it is given and stands for the string as `<N chars>`. */
function recordingSink(): StringSink & { pieces: string[] } {
  const pieces: string[] = [];
  return {
    pieces,
    write: async (piece) => void pieces.push(piece),
    end: async () => `<${pieces.join("").length} chars>`,
  };
}

describe("parseJsonStream", () => {
  const documents = [
    '{"images": ["iVBORw0KGgo="], "parameters": {"seed": -1, "cfg": 4.5e0, "x": [true, false, null]}, "info": "{\\"all_seeds\\": [1]}"}',
    '["a\\u00e9\\n\\"\\\\\\/b", "日本語 😀", -0.0, 1e400, 12345678901234567890, {}]',
    '  {"nested": {"a": [[], [{}], [[1]]]}, "empty": "", "dup": 1, "dup": 2}  ',
    '"just a string"',
    "42",
    "null",
  ];

  it.each(documents)("builds what JSON.parse builds, whatever the pieces: %s", async (text) => {
    for (const size of [1, 3, 7, 4096]) expect(await parseJsonStream(bodyOf(text, size), options)).toEqual(JSON.parse(text));
  });

  it("keeps a __proto__ key as a plain property, as JSON.parse does, never as the prototype", async () => {
    const value = (await parseJsonStream(bodyOf('{"__proto__": {"polluted": true}}'), options)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect((value as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(value)).toEqual(["__proto__"]);
  });

  it("sends a claimed string to its sink in batches, at its path, and keeps only what the sink stands for", async () => {
    const long = "QUJD".repeat(100_000);
    const sinks: [readonly (string | number)[], ReturnType<typeof recordingSink>][] = [];
    const value = await parseJsonStream(bodyOf(JSON.stringify({ images: [long, "AA=="], info: "kept" }), 1000), {
      ...options,
      sinkFor: (path) => {
        if (path[0] !== "images") return undefined;
        const sink = recordingSink();
        sinks.push([path, sink]);
        return sink;
      },
    });
    expect(value).toEqual({ images: ["<400000 chars>", "<4 chars>"], info: "kept" });
    expect(sinks.map(([path]) => path)).toEqual([
      ["images", 0],
      ["images", 1],
    ]);
    const [, first] = sinks[0];
    expect(first.pieces.join("")).toBe(long);
    // Batched: a handful of writes, not one per 256-character token.
    expect(first.pieces.length).toBeGreaterThan(1);
    expect(first.pieces.length).toBeLessThan(10);
  });

  it("refuses a kept string, key or number over the cap, naming where it was", async () => {
    const long = "x".repeat(1001);
    for (const text of [`{"a": {"b": "${long}"}}`, `{"${long}": 1}`, `[1${"0".repeat(1001)}]`]) {
      const error = await failure(parseJsonStream(bodyOf(text, 64), options));
      expect(error.code).toBe("SERVER");
      expect(error.message).toContain("longer than 1000 characters");
    }
    expect((await failure(parseJsonStream(bodyOf(`{"a": {"b": "${long}"}}`, 64), options))).message).toContain("at a.b");
  });

  it("refuses nesting deeper than the cap", async () => {
    const error = await failure(parseJsonStream(bodyOf(`${"[".repeat(9)}${"]".repeat(9)}`), options));
    expect(error.code).toBe("SERVER");
    expect(error.message).toContain("deeper than 8 levels");
    expect(await parseJsonStream(bodyOf(`${"[".repeat(8)}${"]".repeat(8)}`), options)).toBeDefined();
  });

  it.each([
    ["cut short", '{"images": ["abc', 'it starts "{\\"images\\": [\\"abc"'],
    ["trailing text", '{"a": 1} {"b": 2}', 'it starts "{\\"a\\": 1} {\\"b\\": 2}"'],
    ["not JSON at all", `<html>Bad Gateway${" ".repeat(100)}</html>`, `it starts "<html>Bad Gateway${" ".repeat(63)}"`],
    ["empty", "", "it is empty"],
  ])("says the answer is not JSON when it is %s, quoting how it starts", async (_, text, quoted) => {
    const error = await failure(parseJsonStream(bodyOf(text), options));
    expect(error.code).toBe("SERVER");
    expect(error.message).toMatch(/^The answer is not valid JSON \(.+\); .+\. Is this the right kind of server\?$/);
    expect(error.message).toContain(`; ${quoted}. Is this`);
  });

  it("refuses more values than the cap", async () => {
    const error = await failure(parseJsonStream(bodyOf(JSON.stringify({ many: Array.from({ length: 100 }, (_, i) => i) })), options));
    expect(error.message).toContain("holds more than 100 values");
    expect(await parseJsonStream(bodyOf(JSON.stringify(Array.from({ length: 99 }, (_, i) => i))), options)).toHaveLength(99);
  });

  it("waits for a sink's write in progress before failing with the body's error", async () => {
    const body = new PassThrough();
    const dropped = Object.assign(new Error("other side closed"), { code: "ECONNRESET" });
    const events: string[] = [];
    const slowSink: StringSink = {
      async write() {
        events.push("write started");
        body.destroy(dropped);
        await new Promise((resolve) => setTimeout(resolve, 20));
        events.push("write finished");
      },
      end: async () => "",
    };
    const pending = parseJsonStream(body, { ...options, sinkFor: () => slowSink })
      .catch((e: unknown) => e)
      .then((error) => {
        events.push("rejected");
        return error;
      });
    body.write(`{"images": ["${"A".repeat(70_000)}`);
    expect(await pending).toBe(dropped);
    expect(events).toEqual(["write started", "write finished", "rejected"]);
  });

  it("lets a sink's own error through unchanged", async () => {
    const refused = new InstantIdError("SERVER", "Image 1 is not an image");
    const error = await failure(
      parseJsonStream(bodyOf('{"images": ["PGh0bWw+"]}'), {
        ...options,
        sinkFor: () => ({ write: async () => Promise.reject(refused), end: async () => "" }),
      }),
    );
    expect(error).toBe(refused);
  });

  it("lets the body's own failure through unchanged (a dropped connection is not bad JSON)", async () => {
    const body = new PassThrough();
    const dropped = Object.assign(new Error("other side closed"), { code: "ECONNRESET" });
    const pending = parseJsonStream(body, options).catch((e: unknown) => e);
    body.write('{"images": ["abc');
    setImmediate(() => body.destroy(dropped));
    expect(await pending).toBe(dropped);
  });
});
