/** What stands for a byte that is not text: NUL, or a byte sequence that is not UTF-8. */
export const REPLACEMENT = '\uFFFD';

const REPLACEMENT_BYTES = [0xef, 0xbf, 0xbd] as const;

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The text of one output line as it is published: NUL bytes and bytes that are
 * not valid UTF-8 are each replaced with U+FFFD (one per maximal invalid
 * subsequence, as TextDecoder does), and the text is cut at a character boundary
 * so its UTF-8 stays within `maxBytes` (replacements take 3 bytes each, so a
 * line of binary data can grow). Returns the text and how many of the input
 * bytes it stands for, so the caller can tell what was cut.
 */
export function lineText(bytes: Uint8Array, maxBytes: number): { text: string; usedBytes: number } {
  if (bytes.length <= maxBytes && !bytes.includes(0)) {
    try {
      return { text: strict.decode(bytes), usedBytes: bytes.length };
    } catch {
      // Not UTF-8: replaced below.
    }
  }
  const out = new Uint8Array(Math.min(maxBytes, bytes.length * REPLACEMENT_BYTES.length));
  let written = 0;
  let used = 0;
  while (used < bytes.length) {
    const length = sequenceAt(bytes, used);
    if (length > 0) {
      if (written + length > out.length) break;
      out.set(bytes.subarray(used, used + length), written);
      written += length;
      used += length;
    } else {
      if (written + REPLACEMENT_BYTES.length > out.length) break;
      out.set(REPLACEMENT_BYTES, written);
      written += REPLACEMENT_BYTES.length;
      used -= length;
    }
  }
  return { text: lenient.decode(out.subarray(0, written)), usedBytes: used };
}

/**
 * At `i`: the length of a valid UTF-8 character other than NUL, or minus the
 * length of the invalid bytes that one replacement stands for.
 */
function sequenceAt(bytes: Uint8Array, i: number): number {
  const lead = bytes[i] as number;
  if (lead === 0) return -1;
  if (lead < 0x80) return 1;
  let continuations: number;
  let lower = 0x80;
  let upper = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) continuations = 1;
  else if (lead >= 0xe0 && lead <= 0xef) {
    continuations = 2;
    if (lead === 0xe0) lower = 0xa0; // no overlong forms
    if (lead === 0xed) upper = 0x9f; // no surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    continuations = 3;
    if (lead === 0xf0) lower = 0x90; // no overlong forms
    if (lead === 0xf4) upper = 0x8f; // nothing past U+10FFFF
  } else return -1;
  for (let k = 1; k <= continuations; k += 1) {
    const next = bytes[i + k];
    if (next === undefined || next < lower || next > upper) return -k;
    lower = 0x80;
    upper = 0xbf;
  }
  return continuations + 1;
}
