/** GPT-2 byte-level alphabet: each byte 0..255 ↔ one printable Unicode character. */

export const BYTE_TO_CHAR: string[] = [];
export const CHAR_TO_BYTE = new Map<string, number>();

(() => {
  const keep: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) keep.push(b);
  for (let b = 0xa1; b <= 0xac; b++) keep.push(b);
  for (let b = 0xae; b <= 0xff; b++) keep.push(b);
  const kept = new Set(keep);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const cp = kept.has(b) ? b : 256 + n++;
    BYTE_TO_CHAR[b] = String.fromCharCode(cp);
    CHAR_TO_BYTE.set(BYTE_TO_CHAR[b], b);
  }
})();

/**
 * UTF-8 bytes of `s` into `out` (lone surrogates become U+FFFD, as Rust strings do).
 * When `unitOf` is given, unitOf[k] = index in `s` of the code unit that byte k comes from.
 * Returns the byte count.
 */
export function utf8Into(s: string, out: number[], unitOf?: number[]): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    const at = i;
    if (c < 0x80) {
      out[n++] = c;
      if (unitOf) unitOf[n - 1] = at;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    const start = n;
    if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 63);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    }
    if (unitOf) for (let k = start; k < n; k++) unitOf[k] = at;
  }
  return n;
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
export function utf8Decode(bytes: number[]): string {
  return decoder.decode(Uint8Array.from(bytes));
}

/** The same decoding as utf8Decode, from bytes already in a Uint8Array. */
export function utf8DecodeBytes(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
