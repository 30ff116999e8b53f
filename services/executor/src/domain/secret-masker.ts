/**
 * Masking of secret values in everything an attempt sends out of the executor: log lines, the
 * captured standard output (the job's context and output), system lines and error reasons. Not only
 * the value but the forms a job commonly prints it in:
 *
 * - the value, and each line of a multi-line value (and the line trimmed);
 * - base64 and base64url: the whole encoding (padded and not), its 76-character lines (as `base64`
 *   wraps them), and the stable inner part of the value at each of the three byte alignments inside a
 *   longer base64 stream (`printf 'user:%s' "$T" | base64`);
 * - URL-encoded (encodeURIComponent, `+` for spaces, RFC 3986 with `!'()*` escaped, lowercase `%xx`);
 * - JSON-escaped as inside a JSON string (also with `\/` and with non-ASCII as `\uXXXX`);
 * - hex, lower and upper case.
 *
 * Forms shorter than MIN_MASKED_LENGTH characters are not masked (they would mask ordinary text);
 * the catalog refuses secret values that short. Each form is replaced by MASK, the longest first.
 */
export const MASK = '[MASKED]';
export const MIN_MASKED_LENGTH = 4;
/** `base64` (coreutils) wraps its output at 76 characters. */
const BASE64_LINE = 76;

/** Every form of `value` to mask (distinct, at least MIN_MASKED_LENGTH characters), the longest first. */
export function maskedForms(value: string): string[] {
  const forms = new Set<string>();
  const add = (form: string) => {
    if (form.length >= MIN_MASKED_LENGTH) forms.add(form);
  };
  add(value);
  const lines = value.split(/\r?\n/);
  if (lines.length > 1) {
    for (const line of lines) {
      add(line);
      add(line.trim());
    }
  }
  const bytes = Buffer.from(value, 'utf8');
  for (const form of base64Forms(bytes)) {
    add(form);
    add(toBase64Url(form));
  }
  const component = encodeURIComponent(value);
  add(component);
  add(component.replace(/%20/g, '+'));
  const strict = component.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  add(strict);
  add(strict.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
  const json = JSON.stringify(value).slice(1, -1);
  add(json);
  add(json.replace(/\//g, '\\/'));
  add(json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  const hex = bytes.toString('hex');
  add(hex);
  add(hex.toUpperCase());
  return [...forms].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

/**
 * The base64 forms of `bytes`: the padded encoding, without padding, its 76-character lines, and for
 * each of the 3 offsets the characters that depend only on `bytes` when they sit at that offset (mod 3)
 * of a longer stream.
 */
function base64Forms(bytes: Buffer): string[] {
  const full = bytes.toString('base64');
  const forms = [full, full.replace(/=+$/, '')];
  if (full.length > BASE64_LINE) {
    for (let at = 0; at < full.length; at += BASE64_LINE) forms.push(full.slice(at, at + BASE64_LINE));
  }
  for (let offset = 0; offset < 3; offset += 1) {
    const shifted = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Character j holds bits 6j..6j+5 of the stream; the value's bits are 8*offset .. 8*(offset+n)-1.
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    forms.push(shifted.slice(first, end));
  }
  return forms;
}

const toBase64Url = (base64: string): string => base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A set of patterns matched at once, the longest alternative first at each position. */
class Patterns {
  readonly regex: RegExp;
  readonly longest: number;
  private readonly firstChars: Set<number>;

  constructor(readonly list: readonly string[]) {
    this.regex = new RegExp(list.map(escapeRegExp).join('|'), 'g');
    this.longest = Math.max(...list.map((p) => p.length));
    this.firstChars = new Set(list.map((p) => p.charCodeAt(0)));
  }

  replace(text: string): string {
    return text.replace(this.regex, MASK);
  }

  /** Whether `text` from `at` to its end is a strict beginning of a pattern (the rest may follow). */
  startsPattern(text: string, at: number): boolean {
    if (!this.firstChars.has(text.charCodeAt(at))) return false;
    const rest = text.length - at;
    return this.list.some((p) => p.length > rest && p.startsWith(text.slice(at)));
  }
}

/**
 * The secrets of one attempt. Empty until `add` (a job without secrets pays nothing): `maskText`
 * returns its argument and `stream` is not used.
 */
export class SecretMasker {
  private forms = new Set<string>();
  private text: Patterns | undefined;
  private bytes: Patterns | undefined;

  add(values: Iterable<string>): void {
    for (const value of values) for (const form of maskedForms(value)) this.forms.add(form);
    const list = [...this.forms].sort((a, b) => b.length - a.length);
    if (list.length === 0) return;
    this.text = new Patterns(list);
    // Output streams are matched as bytes (latin1 text of their UTF-8) so that binary output stays
    // byte for byte; a form with a line break cannot match within one line and is left to its lines.
    const byteForms = list.filter((form) => !form.includes('\n')).map((form) => latin1Of(form));
    this.bytes = byteForms.length === 0 ? undefined : new Patterns(byteForms);
  }

  get active(): boolean {
    return this.text !== undefined;
  }

  /** `text` with every form of every secret replaced by MASK. */
  maskText(text: string): string {
    return this.text === undefined ? text : this.text.replace(text);
  }

  /** A masker for one output stream (bytes in, masked bytes out; see StreamMasker). */
  stream(): StreamMasker {
    return new StreamMasker(this.bytes);
  }
}

const latin1Of = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

/**
 * Masks a byte stream chunk by chunk, before it is cut into lines (so a line split at
 * `executor.maxLineBytes` never splits a secret unmasked) and before it is captured. A secret split
 * between two chunks is still masked: the end of a chunk that could begin a form is held back until
 * the next chunk (or the end) tells. Forms never span a line break, so nothing before the last line
 * break of a chunk is held: a line is never delayed, only a partial last line that looks like the
 * beginning of a secret.
 */
export class StreamMasker {
  private held = '';

  constructor(private readonly patterns: Patterns | undefined) {}

  push(chunk: Uint8Array): Buffer {
    if (this.patterns === undefined) return Buffer.from(chunk);
    const text = this.held + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    const from = Math.max(text.lastIndexOf('\n') + 1, text.length - this.patterns.longest + 1, 0);
    let hold = text.length;
    for (let at = from; at < text.length; at += 1) {
      if (this.patterns.startsPattern(text, at)) {
        hold = at;
        break;
      }
    }
    // Whole matches before the held part; one that reaches into it is masked whole now.
    let out = '';
    let done = 0;
    const regex = this.patterns.regex;
    regex.lastIndex = 0;
    for (let match = regex.exec(text); match !== null && match.index < hold; match = regex.exec(text)) {
      out += text.slice(done, match.index) + MASK;
      done = match.index + match[0].length;
    }
    hold = Math.max(hold, done);
    out += text.slice(done, hold);
    this.held = text.slice(hold);
    return Buffer.from(out, 'latin1');
  }

  /** What is still held, masked: at the end of the stream. */
  end(): Buffer {
    if (this.patterns === undefined || this.held === '') return Buffer.alloc(0);
    const out = this.patterns.replace(this.held);
    this.held = '';
    return Buffer.from(out, 'latin1');
  }
}
