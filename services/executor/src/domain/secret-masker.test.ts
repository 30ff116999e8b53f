import { describe, expect, it } from 'vitest';
import { MASK, maskedForms, SecretMasker } from './secret-masker.js';

const SECRET = 'tok3n/with+odd=chars&more!';

function masker(...values: string[]): SecretMasker {
  const m = new SecretMasker();
  m.add(values);
  return m;
}

/** Streams `chunks` through one stream masker and returns the masked text. */
function streamed(m: SecretMasker, chunks: Array<string | Uint8Array>): string {
  const stream = m.stream();
  const parts = chunks.map((chunk) => stream.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
  parts.push(stream.end());
  return Buffer.concat(parts).toString('utf8');
}

describe('maskedForms', () => {
  it('lists the value and its encodings, the longest first, none shorter than 4', () => {
    const forms = maskedForms(SECRET);
    expect(forms).toContain(SECRET);
    expect(forms).toContain(Buffer.from(SECRET).toString('base64'));
    expect(forms).toContain(Buffer.from(SECRET).toString('base64url'));
    expect(forms).toContain(encodeURIComponent(SECRET));
    expect(forms).toContain(Buffer.from(SECRET).toString('hex'));
    expect(forms).toContain(Buffer.from(SECRET).toString('hex').toUpperCase());
    expect(forms.every((form) => form.length >= 4)).toBe(true);
    expect([...forms].sort((a, b) => b.length - a.length)).toEqual(forms);
  });
});

describe('SecretMasker.maskText', () => {
  const m = masker(SECRET);

  it('masks the value, and leaves text without it as it is', () => {
    expect(m.maskText(`token is ${SECRET}.`)).toBe(`token is ${MASK}.`);
    expect(m.maskText('nothing here')).toBe('nothing here');
    expect(new SecretMasker().maskText(SECRET)).toBe(SECRET);
  });

  it('masks base64 and base64url of the value', () => {
    expect(m.maskText(Buffer.from(SECRET).toString('base64'))).toBe(MASK);
    expect(m.maskText(`x ${Buffer.from(SECRET).toString('base64url')} y`)).toBe(`x ${MASK} y`);
  });

  it.each([0, 1, 2, 3, 4, 5])('masks the value inside a longer base64 stream (%i bytes before it)', (before) => {
    const stream = Buffer.concat([Buffer.from('p'.repeat(before)), Buffer.from(SECRET), Buffer.from('-tail')]);
    for (const encoded of [stream.toString('base64'), stream.toString('base64url')]) {
      const masked = m.maskText(encoded);
      expect(masked).toContain(MASK);
      // What is left may not decode back to the value, nor to most of it.
      const left = masked.split(MASK).join('');
      expect(Buffer.from(left, 'base64').toString('latin1')).not.toContain(SECRET.slice(2, -2));
    }
  });

  it('masks the URL-encoded forms', () => {
    const value = "a b/c?d=e&f!g'(h)*";
    const mm = masker(value);
    expect(mm.maskText(`?q=${encodeURIComponent(value)}`)).toBe(`?q=${MASK}`);
    expect(mm.maskText(encodeURIComponent(value).replace(/%20/g, '+'))).toBe(MASK);
    // RFC 3986 (curl --data-urlencode, Python's quote): !'()* escaped too; and lowercase escapes.
    const strict = encodeURIComponent(value).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
    expect(mm.maskText(strict)).toBe(MASK);
    expect(mm.maskText(strict.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()))).toBe(MASK);
  });

  it('masks the value as it appears inside a JSON string', () => {
    const value = 'pa"ss\\wo/rd\tnon-ascii é';
    const mm = masker(value);
    expect(mm.maskText(JSON.stringify({ token: value }))).toBe(`{"token":"${MASK}"}`);
    expect(mm.maskText(JSON.stringify({ token: value }).replace(/\//g, '\\/'))).toBe(`{"token":"${MASK}"}`);
    expect(mm.maskText('"pa\\"ss\\\\wo/rd\\tnon-ascii \\u00e9"')).toBe(`"${MASK}"`);
  });

  it('masks hex in both cases', () => {
    const hex = Buffer.from(SECRET).toString('hex');
    expect(m.maskText(`${hex} ${hex.toUpperCase()}`)).toBe(`${MASK} ${MASK}`);
  });

  it('masks each line of a multi-line secret, but not lines shorter than 4 characters', () => {
    const value = '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nab\n-----END KEY-----';
    const mm = masker(value);
    expect(mm.maskText(value)).toBe(MASK);
    expect(mm.maskText('line: MIIEvQIBADANBgkqhkiG9w0BAQEFAASC')).toBe(`line: ${MASK}`);
    expect(mm.maskText('-----END KEY-----')).toBe(MASK);
    expect(mm.maskText('ab is fine')).toBe('ab is fine');
    expect(mm.maskText(JSON.stringify(value))).toBe(`"${MASK}"`);
  });

  it('masks several secrets, the longest form first', () => {
    const mm = masker('abcd', 'abcdefgh');
    expect(mm.maskText('abcdefgh abcd')).toBe(`${MASK} ${MASK}`);
  });

  it('ignores values too short to mask', () => {
    const mm = masker('abc');
    expect(mm.active).toBe(true);
    expect(mm.maskText('abc abcabc')).toBe('abc abcabc');
  });
});

describe('SecretMasker.stream', () => {
  const m = masker(SECRET);

  it('masks a value split between two chunks, in the middle of a line', () => {
    const half = SECRET.length / 2;
    expect(streamed(m, [`before ${SECRET.slice(0, half)}`, `${SECRET.slice(half)} after\n`])).toBe(
      `before ${MASK} after\n`,
    );
    expect(streamed(m, [SECRET.slice(0, 5), SECRET.slice(5, 9), SECRET.slice(9)])).toBe(MASK);
  });

  it('masks a value split at every byte, and base64 split between chunks', () => {
    const text = `a ${SECRET} b ${Buffer.from(SECRET).toString('base64')} c\n`;
    expect(
      streamed(
        m,
        [...Buffer.from(text)].map((byte) => Uint8Array.of(byte)),
      ),
    ).toBe(`a ${MASK} b ${MASK} c\n`);
  });

  it('holds back only what could begin a secret, never a complete line', () => {
    const stream = m.stream();
    expect(stream.push(Buffer.from('line one\nprompt> ')).toString()).toBe('line one\nprompt> ');
    expect(stream.push(Buffer.from('x tok3n')).toString()).toBe('x ');
    expect(stream.push(Buffer.from('ized\n')).toString()).toBe('tok3nized\n');
    expect(stream.push(Buffer.from(SECRET.slice(0, 6))).toString()).toBe('');
    expect(stream.end().toString()).toBe(SECRET.slice(0, 6));
  });

  it('keeps binary output byte for byte, masking the value inside it', () => {
    const binary = Buffer.from([0, 255, 128, 10, 200]);
    const input = Buffer.concat([binary, Buffer.from(SECRET), binary]);
    expect(Buffer.concat([m.stream().push(input), m.stream().end()])).toEqual(
      Buffer.concat([binary, Buffer.from(MASK), binary]),
    );
  });

  it('masks a multi-byte UTF-8 value split inside a character', () => {
    const value = 'clé-secrète-€';
    const bytes = Buffer.from(`x ${value} y`);
    const cut = bytes.indexOf(Buffer.from('€')) + 1;
    expect(streamed(masker(value), [bytes.subarray(0, cut), bytes.subarray(cut)])).toBe(`x ${MASK} y`);
  });

  it('masks each line of a multi-line secret printed as is', () => {
    const value = 'first-line-of-it\nsecond-line-of-it';
    expect(streamed(masker(value), [`${value}\n`])).toBe(`${MASK}\n${MASK}\n`);
  });

  it('passes chunks through when there is no secret', () => {
    expect(streamed(new SecretMasker(), ['plain ', 'text\n'])).toBe('plain text\n');
  });
});
