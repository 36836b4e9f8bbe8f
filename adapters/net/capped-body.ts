import { Readable, Transform, type TransformCallback, pipeline } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { Response } from "undici";

/** How many leading bytes {@link BodyLimits.checkStart} sees (enough for any image signature and a quote). */
const START_BYTES = 64;

/** What a body may be: how large, and what it must start with. */
export interface BodyLimits {
  /** Largest body accepted, in bytes; a larger one (declared or streamed) is refused. */
  readonly limit: number;
  /** Builds the error for a body over `limit` (so the caller names its server and option). */
  readonly tooLarge: (received: number) => Error;
  /** Called once with the body's first {@link START_BYTES} bytes (fewer if it is shorter); throwing refuses the body. */
  readonly checkStart?: (start: Uint8Array) => void;
}

/**
 * A response body as a Node stream that fails as soon as it passes `limit` (or declares more than it up
 * front) or `checkStart` refuses its first bytes. A dropped connection or an abort reaches the reader as the
 * stream's own error, so the HTTP client can still tell a network failure from a refused answer.
 */
export async function cappedBody(response: Response, limits: BodyLimits): Promise<Readable & { readonly received: number }> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > limits.limit) {
    await response.body?.cancel().catch(() => undefined);
    throw limits.tooLarge(declared);
  }
  const source = response.body ? Readable.fromWeb(response.body as WebReadableStream<Uint8Array>) : Readable.from([]);
  const gate = new BodyGate(limits);
  // The callback form destroys the gate with the source's error, so its reader sees every failure.
  pipeline(source, gate, () => undefined);
  return gate;
}

/** Passes chunks through while counting them against the cap, and shows the first bytes to `checkStart`. */
class BodyGate extends Transform {
  received = 0;
  private start: Buffer | undefined = Buffer.alloc(0);

  constructor(private readonly limits: BodyLimits) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.received += chunk.length;
    const failure = this.received > this.limits.limit ? this.limits.tooLarge(this.received) : this.seeStart(chunk);
    if (failure) done(failure);
    else done(null, chunk);
  }

  /** Keeps the first bytes until there are enough to check; the check's error, if any. */
  private seeStart(chunk: Buffer): Error | undefined {
    if (!this.start) return undefined;
    this.start = Buffer.concat([this.start, chunk.subarray(0, START_BYTES - this.start.length)]);
    return this.start.length >= START_BYTES ? this.check() : undefined;
  }

  override _flush(done: TransformCallback): void {
    done(this.start ? this.check() : null);
  }

  private check(): Error | undefined {
    const start = this.start!;
    this.start = undefined;
    try {
      this.limits.checkStart?.(start);
      return undefined;
    } catch (error) {
      return error as Error;
    }
  }
}
