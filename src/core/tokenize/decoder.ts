/** Decoders of tokenizer.json (ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip, Sequence), as HF's decode_chain. */
import { CHAR_TO_BYTE, utf8Decode, utf8DecodeBytes, utf8Into } from './bytes';
import { UnsupportedTokenizerError } from './normalizer';

export type DecoderFn = ((tokens: string[]) => string[]) & {
  /**
   * Set when the whole chain is one ByteLevel decoder: a token's bytes depend on the token alone, so a
   * caller may concatenate per-token bytes (cached per id) and decode UTF-8 once — the same string.
   */
  tokenBytes?: (token: string) => Uint8Array;
};

/* eslint-disable @typescript-eslint/no-explicit-any */
export function buildDecoder(spec: any): DecoderFn | null {
  if (spec == null) return null;
  switch (spec.type) {
    case 'Sequence': {
      const fns = (spec.decoders as any[]).map(buildDecoder).filter((f): f is DecoderFn => f !== null);
      return (toks) => fns.reduce((acc, f) => f(acc), toks);
    }
    case 'ByteLevel': {
      // each token's bytes depend on its string only: computed once per distinct token (the vocabulary)
      const cache = new Map<string, Uint8Array>();
      const tmp: number[] = [];
      const bytesOf = (t: string): Uint8Array => {
        let b = cache.get(t);
        if (b) return b;
        let ok = true;
        for (const c of t) if (!CHAR_TO_BYTE.has(c)) ok = false;
        if (ok) {
          const out: number[] = [];
          for (const c of t) out.push(CHAR_TO_BYTE.get(c)!);
          b = Uint8Array.from(out);
        } else b = Uint8Array.from(tmp.slice(0, utf8Into(t, tmp)));
        if (cache.size < 1 << 19) cache.set(t, b);
        return b;
      };
      const fn: DecoderFn = (toks) => {
        const parts = toks.map(bytesOf);
        let n = 0;
        for (const p of parts) n += p.length;
        const all = new Uint8Array(n);
        n = 0;
        for (const p of parts) {
          all.set(p, n);
          n += p.length;
        }
        return [utf8DecodeBytes(all)];
      };
      fn.tokenBytes = bytesOf;
      return fn;
    }
    case 'Metaspace': {
      const rep: string = spec.replacement ?? '▁';
      const scheme: string = spec.prepend_scheme ?? (spec.add_prefix_space === false ? 'never' : 'always');
      return (toks) =>
        toks.map((t, i) => {
          const s = t.replaceAll(rep, ' ');
          return i === 0 && scheme !== 'never' && s.startsWith(' ') ? s.slice(1) : s;
        });
    }
    case 'Replace': {
      const pat = spec.pattern?.String;
      if (pat === undefined) throw new UnsupportedTokenizerError('Replace decoder with a regex pattern');
      return (toks) => toks.map((t) => t.replaceAll(pat, spec.content));
    }
    case 'ByteFallback':
      return (toks) => {
        const out: string[] = [];
        let pending: number[] = [];
        const flush = () => {
          if (pending.length === 0) return;
          const s = utf8Decode(pending);
          out.push(s.includes('\ufffd') && !validUtf8(pending) ? '\ufffd'.repeat(pending.length) : s);
          pending = [];
        };
        for (const t of toks) {
          const m = /^<0x([0-9A-F]{2})>$/.exec(t);
          if (m) pending.push(parseInt(m[1], 16));
          else {
            flush();
            out.push(t);
          }
        }
        flush();
        return out;
      };
    case 'Fuse':
      return (toks) => [toks.join('')];
    case 'Strip': {
      const content: string = spec.content ?? ' ';
      const start: number = spec.start ?? 0;
      const stop: number = spec.stop ?? 0;
      return (toks) =>
        toks.map((t) => {
          let a = 0;
          let b = t.length;
          for (let k = 0; k < start && t.startsWith(content, a); k++) a += content.length;
          for (let k = 0; k < stop && b - content.length >= a && t.startsWith(content, b - content.length); k++) b -= content.length;
          return t.slice(a, b);
        });
    }
    default:
      throw new UnsupportedTokenizerError(`unsupported decoder "${spec.type}"`);
  }
}

function validUtf8(bytes: number[]): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(bytes));
    return true;
  } catch {
    return false;
  }
}
