import { ErrorCode, InstantIdError } from "../../core/index.js";

/** The standard alphabet, padding only at the end (Node's own decoder skips anything else without a word). */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** What some servers put before the base64 of an image. */
const DATA_URL_PREFIX = /^data:[\w.+/-]{0,100}(;[\w.+-]+=[\w.+-]+){0,4};base64,/;

/**
 * Decodes base64 that arrives in pieces (a string streamed out of a JSON answer): each piece's whole
 * four-character groups are decoded at once and the rest is carried to the next. Text outside the standard
 * alphabet, or after the padding, is a SERVER error naming `what`; a leading `data:…;base64,` is dropped.
 */
export class Base64Decoder {
  private carry = "";
  private started = false;
  private padded = false;

  constructor(private readonly what: string) {}

  /** The bytes the pieces so far complete. */
  push(piece: string): Buffer {
    const text = this.started ? piece : piece.replace(DATA_URL_PREFIX, "");
    this.started = true;
    if (this.padded ? /[^=]/.test(text) : !BASE64.test(text)) throw this.notBase64(text);
    if (text.endsWith("=")) this.padded = true;
    const all = this.carry + text;
    const whole = all.length - (all.length % 4);
    this.carry = all.slice(whole);
    return Buffer.from(all.slice(0, whole), "base64");
  }

  /** The last bytes, once the text ended (unpadded base64 is accepted too). */
  end(): Buffer {
    if (this.carry.length === 1) throw this.notBase64(this.carry);
    const last = Buffer.from(this.carry, "base64");
    this.carry = "";
    return last;
  }

  private notBase64(text: string): InstantIdError {
    const bad = text.match(/[^A-Za-z0-9+/=]/)?.[0];
    const problem = bad
      ? `it holds ${JSON.stringify(bad)}`
      : this.carry.length === 1
        ? "it ends one character short"
        : "text follows its padding";
    return new InstantIdError(ErrorCode.Server, `${this.what} is not base64 (${problem}); nothing was saved`);
  }
}
