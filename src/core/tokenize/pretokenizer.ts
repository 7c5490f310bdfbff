/**
 * Pre-tokenizers of tokenizer.json: Sequence, Split (regex or string, all behaviors, invert),
 * ByteLevel (add_prefix_space, use_regex), Digits, Metaspace, Whitespace, WhitespaceSplit.
 *
 * A pre-tokenizer streams pieces to `emit(text, start, shift)`: `start` is the index in the normalized
 * string of the piece's first real character, `shift` the number of virtual characters prepended
 * (a prefix space or "▁") that have no source character.
 */
import { compileRegex } from './regex';
import { escapeRe, UnsupportedTokenizerError } from './normalizer';

export type Emit = (text: string, start: number, shift: number) => void;
export type PreTokenizerFn = (text: string, start: number, shift: number, emit: Emit) => void;

export interface PreTokenizer {
  run: PreTokenizerFn;
  /** Original-text offset of the segment being pre-tokenized (Metaspace "first" prepends only at 0). */
  ctx: { base: number };
  /** A ByteLevel step is present: BPE runs on the UTF-8 bytes mapped to the GPT-2 alphabet. */
  byteLevel: boolean;
  /**
   * Set when the whole pre-tokenizer is "the matches of this regex and the gaps between them, in order"
   * (Split Isolated, alone or before a ByteLevel that adds nothing and splits no further: Qwen, Llama 3,
   * GPT-2): the tokenizer then runs one tight loop instead of the chain of emit callbacks.
   */
  isolated?: RegExp;
  /** Emits its input unchanged (a ByteLevel step with neither prefix space nor regex). */
  identity?: boolean;
}

export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

type Behavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';

/* eslint-disable @typescript-eslint/no-explicit-any */
export function buildPreTokenizer(spec: any, ctx: { base: number } = { base: 0 }): PreTokenizer {
  if (spec == null) return { run: (t, s, sh, emit) => emit(t, s, sh), byteLevel: false, ctx };
  switch (spec.type) {
    case 'Sequence': {
      const parts = (spec.pretokenizers as any[]).map((p) => buildPreTokenizer(p, ctx));
      let run: PreTokenizerFn = (t, s, sh, emit) => emit(t, s, sh);
      for (let k = parts.length - 1; k >= 0; k--) {
        const head = parts[k].run;
        const tail = run;
        run = (t, s, sh, emit) => head(t, s, sh, (t2, s2, sh2) => tail(t2, s2, sh2, emit));
      }
      // Compose left to right: parts[0] first.
      const isolated = parts.length >= 1 && parts.slice(1).every((p) => p.identity) ? parts[0].isolated : undefined;
      return { run, byteLevel: parts.some((p) => p.byteLevel), ctx, ...(isolated ? { isolated } : {}) };
    }
    case 'Split': {
      const pat = spec.pattern ?? {};
      let re: RegExp;
      if (pat.Regex !== undefined) re = compileRegex(pat.Regex);
      else if (pat.String !== undefined) re = new RegExp(escapeRe(pat.String), 'gu');
      else throw new UnsupportedTokenizerError('Split pre-tokenizer without a pattern');
      const isolated = spec.behavior === 'Isolated' && !spec.invert ? re : undefined;
      return { run: splitter(re, spec.behavior as Behavior, !!spec.invert), byteLevel: false, ctx, ...(isolated ? { isolated } : {}) };
    }
    case 'ByteLevel': {
      const addPrefix = !!spec.add_prefix_space;
      const gpt2 = spec.use_regex !== false ? compileRegex(GPT2_PATTERN) : null;
      const split = gpt2 ? splitter(gpt2, 'Isolated', false) : null;
      return {
        byteLevel: true,
        ctx,
        ...(!addPrefix && gpt2 ? { isolated: gpt2 } : {}),
        ...(!addPrefix && !gpt2 ? { identity: true } : {}),
        run: (t, s, sh, emit) => {
          if (addPrefix && !t.startsWith(' ')) {
            t = ' ' + t;
            sh++;
          }
          if (split) split(t, s, sh, emit);
          else emit(t, s, sh);
        },
      };
    }
    case 'Digits':
      return { run: splitter(/\p{N}/gu, spec.individual_digits ? 'Isolated' : 'Contiguous', false), byteLevel: false, ctx };
    case 'Whitespace':
      // Rust regex \w+|[^\w\s]+ (Unicode \w and \s)
      return {
        run: splitter(/[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]+|[^\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}\p{White_Space}]+/gu, 'Removed', true),
        byteLevel: false,
        ctx,
      };
    case 'WhitespaceSplit':
      return { run: splitter(/\p{White_Space}/gu, 'Removed', false), byteLevel: false, ctx }; // char::is_whitespace
    case 'Metaspace': {
      const rep: string = spec.replacement ?? '▁';
      const scheme: string = spec.prepend_scheme ?? (spec.add_prefix_space === false ? 'never' : 'always');
      const doSplit = spec.split !== false;
      const split = splitter(new RegExp(escapeRe(rep), 'gu'), 'MergedWithNext', false);
      return {
        byteLevel: false,
        ctx,
        run: (t, s, sh, emit) => {
          t = t.replaceAll(' ', rep);
          if ((scheme === 'always' || (scheme === 'first' && ctx.base === 0 && s === 0 && sh === 0)) && !t.startsWith(rep)) {
            t = rep + t;
            sh++;
          }
          if (doSplit) split(t, s, sh, emit);
          else emit(t, s, sh);
        },
      };
    }
    default:
      throw new UnsupportedTokenizerError(`unsupported pre-tokenizer "${spec.type}"`);
  }
}

/** Emits text[a..b) of a piece (start, shift) as a sub-piece. */
function sub(t: string, s: number, sh: number, a: number, b: number, emit: Emit): void {
  if (b <= a) return;
  emit(t.slice(a, b), s + Math.max(0, a - sh), Math.max(0, sh - a));
}

/** Walks the non-empty matches of `re` over `t` in order: visit(a, b, isMatch) for each gap and each match. */
export function walk(re: RegExp, t: string, visit: (a: number, b: number, isMatch: boolean) => void): void {
  re.lastIndex = 0;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    const a = m.index;
    const len = m[0].length;
    if (len === 0) {
      re.lastIndex++;
      continue;
    }
    if (a > last) visit(last, a, false);
    visit(a, a + len, true);
    last = a + len;
  }
  if (last < t.length) visit(last, t.length, false);
}

function splitter(re: RegExp, behavior: Behavior, invert: boolean): PreTokenizerFn {
  if (behavior === 'Isolated' && !invert) {
    // Fast path (Qwen, Llama 3, GPT-2): matches and gaps in order.
    return (t, s, sh, emit) => walk(re, t, (a, b) => sub(t, s, sh, a, b, emit));
  }
  return (t, s, sh, emit) => {
    // segments: [start, end, isMatch] (isMatch as the behavior sees it: inverted when `invert`)
    const segs: Array<[number, number, boolean]> = [];
    walk(re, t, (a, b, isMatch) => segs.push([a, b, isMatch !== invert]));
    const out: Array<[number, number]> = [];
    switch (behavior) {
      case 'Removed':
        for (const [a, b, isM] of segs) if (!isM) out.push([a, b]);
        break;
      case 'Isolated':
        for (const [a, b] of segs) out.push([a, b]);
        break;
      case 'MergedWithPrevious': {
        let prevMatch = false;
        for (const [a, b, isM] of segs) {
          if (isM && !prevMatch && out.length > 0) out[out.length - 1][1] = b;
          else out.push([a, b]);
          prevMatch = isM;
        }
        break;
      }
      case 'MergedWithNext': {
        let nextMatch = false;
        for (let k = segs.length - 1; k >= 0; k--) {
          const [a, b, isM] = segs[k];
          if (isM && !nextMatch && out.length > 0) out[out.length - 1][0] = a;
          else out.push([a, b]);
          nextMatch = isM;
        }
        out.reverse();
        break;
      }
      case 'Contiguous': {
        let prevMatch = false;
        for (const [a, b, isM] of segs) {
          if (isM && prevMatch) out[out.length - 1][1] = b;
          else out.push([a, b]);
          prevMatch = isM;
        }
        break;
      }
      default:
        throw new UnsupportedTokenizerError(`unsupported split behavior "${behavior}"`);
    }
    for (const [a, b] of out) sub(t, s, sh, a, b, emit);
  };
}
