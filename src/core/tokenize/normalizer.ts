/**
 * Normalizers of tokenizer.json (NFC/NFD/NFKC/NFKD, Lowercase, Prepend, Replace, Strip, Sequence).
 * A normalized string can carry an alignment back to the original text (for token offsets):
 * `starts[i]`/`ends[i]` = original code-unit span of normalized code unit i (null = identity).
 */
import { UsageError } from '../errors';
import { compileRegex } from './regex';

export interface Normalized {
  text: string;
  starts: number[] | null;
  ends: number[] | null;
}

export type NormalizerFn = (n: Normalized, align: boolean) => Normalized;

/** A tokenizer file this engine cannot use (bad input: the CLI exits 2). */
export class UnsupportedTokenizerError extends UsageError {}

/* eslint-disable @typescript-eslint/no-explicit-any */
export function buildNormalizer(spec: any): NormalizerFn | null {
  if (spec == null) return null;
  switch (spec.type) {
    case 'Sequence': {
      const fns = (spec.normalizers as any[]).map(buildNormalizer).filter((f): f is NormalizerFn => f !== null);
      return (n, align) => fns.reduce((acc, f) => f(acc, align), n);
    }
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
      return unicodeForm(spec.type);
    case 'Lowercase':
      return perChar(lowercase);
    case 'Prepend': {
      const pre: string = spec.prepend;
      return (n, align) => {
        if (n.text.length === 0) return n;
        if (!align) return { text: pre + n.text, starts: null, ends: null };
        const { starts, ends } = materialize(n);
        const s0 = starts[0];
        const e0 = ends[0];
        return { text: pre + n.text, starts: [...new Array(pre.length).fill(s0), ...starts], ends: [...new Array(pre.length).fill(e0), ...ends] };
      };
    }
    case 'Replace':
      return replace(spec);
    case 'Strip':
      return strip(spec.strip_left !== false, spec.strip_right !== false);
    default:
      throw new UnsupportedTokenizerError(`unsupported normalizer "${spec.type}"`);
  }
}

function materialize(n: Normalized): { starts: number[]; ends: number[] } {
  if (n.starts && n.ends) return { starts: n.starts, ends: n.ends };
  const starts = new Array<number>(n.text.length);
  const ends = new Array<number>(n.text.length);
  for (let i = 0; i < n.text.length; i++) {
    starts[i] = i;
    ends[i] = i + 1;
  }
  return { starts, ends };
}

/** Per code point, like Rust's char::to_lowercase (JS would turn a final Σ into ς). */
function lowercase(s: string): string {
  if (!s.includes('\u03a3')) return s.toLowerCase();
  let out = '';
  for (const c of s) out += c === '\u03a3' ? '\u03c3' : c.toLowerCase();
  return out;
}

/** Applies `f` to each code point; each output unit aligns to the input code point. */
function perChar(f: (c: string) => string): NormalizerFn {
  return (n, align) => {
    const text = f(n.text);
    if (!align || text === n.text) return text === n.text ? n : { text, starts: null, ends: null };
    const src = materialize(n);
    let out = '';
    const starts: number[] = [];
    const ends: number[] = [];
    for (let i = 0; i < n.text.length;) {
      const cp = n.text.codePointAt(i)!;
      const w = cp > 0xffff ? 2 : 1;
      const r = f(n.text.slice(i, i + w));
      out += r;
      for (let k = 0; k < r.length; k++) {
        starts.push(src.starts[i]);
        ends.push(src.ends[i + w - 1]);
      }
      i += w;
    }
    return { text: out, starts, ends };
  };
}

/**
 * Unicode normalization. With alignment, the text is cut before every ASCII character (normal forms
 * never combine an ASCII character with what precedes it) and each segment is normalized alone.
 */
function unicodeForm(form: 'NFC' | 'NFD' | 'NFKC' | 'NFKD'): NormalizerFn {
  return (n, align) => {
    const text = n.text.normalize(form);
    if (text === n.text) return n;
    if (!align) return { text, starts: null, ends: null };
    const src = materialize(n);
    let out = '';
    const starts: number[] = [];
    const ends: number[] = [];
    const s = n.text;
    let i = 0;
    while (i < s.length) {
      let j = i + 1;
      while (j < s.length && s.charCodeAt(j) >= 0x80) j++;
      const seg = s.slice(i, j);
      const norm = seg.normalize(form);
      if (norm === seg) {
        for (let k = i; k < j; k++) {
          starts.push(src.starts[k]);
          ends.push(src.ends[k]);
        }
      } else {
        for (let k = 0; k < norm.length; k++) {
          starts.push(src.starts[i]);
          ends.push(src.ends[j - 1]);
        }
      }
      out += norm;
      i = j;
    }
    return { text: out, starts, ends };
  };
}

function replace(spec: any): NormalizerFn {
  const content: string = spec.content;
  let re: RegExp;
  if (spec.pattern?.String !== undefined) re = new RegExp(escapeRe(spec.pattern.String), 'gu');
  else if (spec.pattern?.Regex !== undefined) re = compileRegex(spec.pattern.Regex);
  else throw new UnsupportedTokenizerError('Replace normalizer without a pattern');
  return (n, align) => {
    re.lastIndex = 0;
    if (!re.test(n.text)) return n;
    re.lastIndex = 0;
    if (!align) return { text: n.text.replace(re, () => content), starts: null, ends: null };
    const src = materialize(n);
    let out = '';
    const starts: number[] = [];
    const ends: number[] = [];
    let last = 0;
    const push = (a: number, b: number) => {
      for (let k = a; k < b; k++) {
        starts.push(src.starts[k]);
        ends.push(src.ends[k]);
      }
    };
    for (const m of n.text.matchAll(re)) {
      const at = m.index!;
      push(last, at);
      out += n.text.slice(last, at) + content;
      const end = at + m[0].length;
      for (let k = 0; k < content.length; k++) {
        starts.push(src.starts[at] ?? src.ends[at - 1] ?? 0);
        ends.push(end > at ? src.ends[end - 1] : (src.starts[at] ?? 0));
      }
      last = end;
    }
    push(last, n.text.length);
    out += n.text.slice(last);
    return { text: out, starts, ends };
  };
}

function strip(left: boolean, right: boolean): NormalizerFn {
  return (n) => {
    let a = 0;
    let b = n.text.length;
    if (left) while (a < b && /\p{White_Space}/u.test(n.text[a])) a++;
    if (right) while (b > a && /\p{White_Space}/u.test(n.text[b - 1])) b--;
    if (a === 0 && b === n.text.length) return n;
    const src = n.starts ? { starts: n.starts, ends: n.ends! } : null;
    return {
      text: n.text.slice(a, b),
      starts: src ? src.starts.slice(a, b) : Array.from({ length: b - a }, (_, k) => a + k),
      ends: src ? src.ends.slice(a, b) : Array.from({ length: b - a }, (_, k) => a + k + 1),
    };
  };
}

export function escapeRe(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
