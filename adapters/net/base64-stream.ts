import { ErrorCode, InstantIdError } from "../../core/index.js";

/** Base64's two alphabets (standard and URL-safe): Node's own decoder would skip anything else without a word. */
const ALPHABET = /^[A-Za-z0-9+/_-]*$/;
/** What some servers put before the base64 of an image. */
const DATA_URL_PREFIX = /^data:[\w.+/-]{0,100}(;[\w.+-]+=[\w.+-]+){0,4};base64,/;
/** MIME-style line breaks (Python's `base64.encodebytes`), dropped. */
const LINE_BREAKS = /[\r\n]+/g;

/**
 * Decodes base64 that arrives in pieces (a string streamed out of a JSON answer): each piece's whole
 * four-character groups are decoded at once and the rest is carried to the next. Text outside the alphabet,
 * after the padding, or padding that does not fit is a SERVER error naming `what`. A leading
 * `data:…;base64,` is dropped when the first piece holds all of it, and line breaks are skipped.
 */
export class Base64Decoder {
  private carry = "";
  private started = false;
  private dataChars = 0;
  private padChars = 0;

  constructor(private readonly what: string) {}

  /** The bytes the pieces so far complete. */
  push(piece: string): Buffer {
    let text = this.started ? piece : piece.replace(DATA_URL_PREFIX, "");
    this.started = true;
    if (text.includes("\n") || text.includes("\r")) text = text.replace(LINE_BREAKS, "");
    const padAt = text.indexOf("=");
    const data = padAt < 0 ? text : text.slice(0, padAt);
    const padding = padAt < 0 ? "" : text.slice(padAt);
    if (!ALPHABET.test(data)) throw this.notBase64(`it holds ${JSON.stringify(data.match(/[^A-Za-z0-9+/_-]/)![0])}`);
    if (/[^=]/.test(padding) || (this.padChars > 0 && data.length > 0)) throw this.notBase64("text follows its padding");
    this.padChars += padding.length;
    this.dataChars += data.length;
    const all = this.carry + data;
    const whole = all.length - (all.length % 4);
    this.carry = all.slice(whole);
    return Buffer.from(all.slice(0, whole), "base64");
  }

  /** The last bytes, once the text ended (unpadded base64 is accepted too). */
  end(): Buffer {
    const rest = this.dataChars % 4;
    if (rest === 1) throw this.notBase64("it ends one character short");
    if (this.padChars > 0 && (rest + this.padChars) % 4 !== 0) throw this.notBase64(`its ${this.padChars} padding characters do not fit`);
    const last = Buffer.from(this.carry, "base64");
    this.carry = "";
    return last;
  }

  private notBase64(problem: string): InstantIdError {
    return new InstantIdError(ErrorCode.Server, `${this.what} is not base64 (${problem}); nothing was saved`);
  }
}
