import { type Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import jsonTokens from "stream-json/parser.js";
import { ErrorCode, InstantIdError } from "../../core/index.js";

/** Where one string of an answer goes instead of into the parsed value (an image, to a file). */
export interface StringSink {
  /** Takes the next piece of the string, its JSON escapes already decoded. */
  write(piece: string): Promise<void>;
  /** The string ended; returns what stands for it in the parsed value. */
  end(): Promise<unknown>;
}

/** A place in an answer: object keys and array indices from the root. */
export type JsonPath = readonly (string | number)[];

/** Options of {@link parseJsonStream}. */
export interface JsonStreamOptions {
  /** The sink for the string at `path`, or undefined to keep that string in the value. */
  readonly sinkFor?: (path: JsonPath) => StringSink | undefined;
  /** Longest string, key or number kept in the value, in characters. */
  readonly maxValueChars: number;
  /** Deepest nesting of arrays and objects. */
  readonly maxDepth: number;
  /** Most values (strings, numbers, literals, arrays, objects) kept in the value. */
  readonly maxValues: number;
  /** Names the answer in errors, e.g. "The A1111 server's answer to POST /sdapi/v1/txt2img". */
  readonly what: string;
}

interface Token {
  readonly name: string;
  readonly value?: unknown;
}

/** Pieces handed to a sink at once: the tokenizer cuts strings every 256 characters, far too fine for a write each. */
const SINK_BATCH_CHARS = 64 * 1024;

/**
 * Parses a JSON body as it streams in, as `JSON.parse` would, except that each string `sinkFor` claims flows
 * into its sink piece by piece and never sits whole in memory (a base64 image inside a JSON answer), and that
 * every other string, key and number is capped at `maxValueChars`, their count at `maxValues` and nesting at
 * `maxDepth`. Text that is not JSON is a SERVER error quoting how it starts; the body's own failures (the
 * connection dropped, the size cap) are thrown as they come, so the HTTP client reports them as it does for
 * any answer. A sink's failure is thrown as it is; a sink still writing when the body fails finishes first.
 */
export async function parseJsonStream(body: Readable, options: JsonStreamOptions): Promise<unknown> {
  const start = new StartOfBody();
  const tokens = jsonTokens.asStream({ packValues: false });
  // The first failure stands (the pipeline may reject with the abort it causes instead): the body's (the
  // connection, the cap), the builder's (a sink, a cap), or the tokenizer's (the server sent something not JSON).
  let first: { readonly from: "body" | "tokens" | "builder"; readonly error: unknown } | undefined;
  body.once("error", (error) => {
    first ??= { from: "body", error };
  });
  tokens.once("error", (error) => {
    first ??= { from: "tokens", error };
  });
  const builder = new ValueBuilder(options);
  let taking: Promise<void> = Promise.resolve();
  try {
    await pipeline(body, start, tokens, async (source: AsyncIterable<Token>) => {
      for await (const token of source) {
        taking = builder.take(token);
        await taking.catch((error: unknown) => {
          first ??= { from: "builder", error };
          throw error;
        });
      }
    });
  } catch (error) {
    // The pipeline rejects without waiting for its last step: let a sink's write finish before its owner cleans up.
    await taking.catch(() => undefined);
    if (first?.from !== "tokens") throw first?.error ?? error;
    throw new InstantIdError(
      ErrorCode.Server,
      `${options.what} is not valid JSON (${(first.error as Error).message}); ${start.describe()}. Is this the right kind of server?`,
      { cause: first.error, details: { start: start.text() } },
    );
  }
  return builder.root;
}

/** How much of an answer that is not JSON is quoted. */
const QUOTED_BYTES = 80;

/** Passes the body on, keeping its first bytes to quote when it turns out not to be JSON (an HTML error page). */
class StartOfBody extends Transform {
  private start = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.start.length < QUOTED_BYTES) this.start = Buffer.concat([this.start, chunk.subarray(0, QUOTED_BYTES - this.start.length)]);
    done(null, chunk);
  }

  text(): string {
    return this.start.toString("utf8");
  }

  describe(): string {
    return this.start.length ? `it starts ${JSON.stringify(this.text())}` : "it is empty";
  }
}

/** An open array or object, and the key its next value goes under. */
interface Frame {
  readonly container: unknown[] | Record<string, unknown>;
  key?: string;
}

/** Builds the value from the tokenizer's tokens, one at a time, with the caps and the sinks. */
class ValueBuilder {
  root: unknown;
  private readonly frames: Frame[] = [];
  private pieces: string[] = [];
  private chars = 0;
  private sink: StringSink | undefined;
  private values = 0;

  constructor(private readonly options: JsonStreamOptions) {}

  async take(token: Token): Promise<void> {
    switch (token.name) {
      case "startObject":
        return this.open({});
      case "startArray":
        return this.open([]);
      case "endObject":
      case "endArray":
        this.frames.pop();
        return;
      case "startString":
        this.sink = this.options.sinkFor?.(this.path());
        return;
      case "stringChunk":
      case "numberChunk":
        return this.piece(token.value as string);
      case "endKey":
        this.frames[this.frames.length - 1].key = this.text();
        return;
      case "endString":
        return this.place(this.sink ? await this.endSink() : this.text());
      case "endNumber":
        return this.place(Number(this.text()));
      case "nullValue":
      case "trueValue":
      case "falseValue":
        return this.place(token.value);
    }
  }

  private open(container: unknown[] | Record<string, unknown>): void {
    if (this.frames.length >= this.options.maxDepth) {
      throw this.refused(`nests arrays and objects deeper than ${this.options.maxDepth} levels`);
    }
    this.place(container);
    this.frames.push({ container });
  }

  private place(value: unknown): void {
    if (++this.values > this.options.maxValues) throw this.refused(`holds more than ${this.options.maxValues} values`);
    const frame = this.frames[this.frames.length - 1];
    if (!frame) this.root = value;
    else if (Array.isArray(frame.container)) frame.container.push(value);
    // A key such as "__proto__" becomes a plain property, as JSON.parse makes it, never the object's prototype.
    else Object.defineProperty(frame.container, frame.key!, { value, enumerable: true, writable: true, configurable: true });
  }

  private async piece(piece: string): Promise<void> {
    this.pieces.push(piece);
    this.chars += piece.length;
    if (this.sink) {
      if (this.chars >= SINK_BATCH_CHARS) await this.sink.write(this.text());
    } else if (this.chars > this.options.maxValueChars) {
      throw this.refused(`has a string, key or number longer than ${this.options.maxValueChars} characters at ${this.where()}`);
    }
  }

  private async endSink(): Promise<unknown> {
    const sink = this.sink!;
    this.sink = undefined;
    if (this.chars > 0) await sink.write(this.text());
    return sink.end();
  }

  /** The pieces gathered so far, joined, and forgotten. */
  private text(): string {
    const text = this.pieces.length === 1 ? this.pieces[0] : this.pieces.join("");
    this.pieces = [];
    this.chars = 0;
    return text;
  }

  /** Where the next value goes. */
  private path(): JsonPath {
    return this.frames.map((frame) => (Array.isArray(frame.container) ? frame.container.length : frame.key!));
  }

  private where(): string {
    const path = this.path();
    return path.length ? path.join(".") : "(the answer)";
  }

  private refused(problem: string): InstantIdError {
    return new InstantIdError(ErrorCode.Server, `${this.options.what} ${problem}, so it was refused`);
  }
}
