/**
 * A tokenizer that remembers the ids of strings it already encoded (without offsets) within a run.
 *
 * The same strings are encoded again and again by a build: context snippets repeated across chunks and
 * commits, the old/new code of a chunk in its example and for its own ids, every chunk again when a
 * commit's example is split into groups, the chunker's token counts. Encoding is a pure function of the
 * string, so the ids are identical; only the work is saved.
 *
 * Memory is bounded by two generations of `maxChars` characters each (a cheap LRU: a string used again
 * moves to the young generation; when the young one is full, the old one is dropped).
 * The returned ids arrays are shared: callers must not mutate them (serializeExample does not).
 */
import type { Encoding, Tokenizer } from '../tokenize/index';

const MIN_CHARS = 16; // shorter strings are cheaper to encode than to look up and keep

/**
 * Values computed from strings, each kept once: two generations of `maxChars` characters (a string used
 * again moves to the young generation; when the young one is full, the old one is dropped).
 */
class Generations<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private youngChars = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxChars: number) {}

  /** The value if it is kept, without computing or moving it. */
  peek(text: string): V | undefined {
    return this.young.get(text) ?? this.old.get(text);
  }

  /** The kept value of `text`, else `compute(text)` (kept). */
  get(text: string, compute: (text: string) => V): V {
    let v = this.young.get(text);
    if (v !== undefined) {
      this.hits++;
      return v;
    }
    v = this.old.get(text);
    if (v !== undefined) this.hits++;
    else {
      this.misses++;
      v = compute(text);
    }
    this.set(text, v);
    return v;
  }

  /** Keeps `v` for `text` in the young generation. */
  set(text: string, v: V): void {
    if (text.length > this.maxChars / 4) return; // never let one huge string flush everything
    if (this.youngChars + text.length > this.maxChars) {
      this.old = this.young;
      this.young = new Map();
      this.youngChars = 0;
    }
    if (!this.young.has(text)) this.youngChars += text.length;
    this.young.set(text, v);
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
    this.youngChars = 0;
  }
}

export function memoTokenizer(tok: Tokenizer, maxChars = 8 << 20): Tokenizer & { readonly hits: number; readonly misses: number; clear(): void } {
  const memo = new Generations<Encoding>(maxChars);
  const encode = (text: string): Encoding => ({ ids: tok.encode(text).ids });
  const ids = (text: string): Encoding => (text.length < MIN_CHARS ? tok.encode(text) : memo.get(text, encode));
  return {
    get source() {
      return tok.source;
    },
    get sha256() {
      return tok.sha256;
    },
    get vocabSize() {
      return tok.vocabSize;
    },
    get hits() {
      return memo.hits;
    },
    get misses() {
      return memo.misses;
    },
    clear: () => memo.clear(),
    encode: (text, opts) => (opts?.offsets ? tok.encode(text, opts) : ids(text)),
    encodeAsTrainer: (text) => tok.encodeAsTrainer(text),
    // a limited count (budget checks) is not worth keeping ids for: a kept encoding is used, else counted up to the limit
    count: (text, limit) => (limit === undefined ? ids(text).ids.length : (memo.peek(text)?.ids.length ?? tok.count(text, limit))),
    decode: (x) => tok.decode(x),
    tokenToId: (t) => tok.tokenToId(t),
    idToToken: (id) => tok.idToToken(id),
    addedTokens: () => tok.addedTokens(),
    withMarkers: () => tok.withMarkers(),
    toJSON: () => tok.toJSON(),
    specialTokensJSON: () => tok.specialTokensJSON(),
  };
}

/**
 * Memo size for token worker threads (each has its own memo; the repeats worth catching — a commit's
 * groups re-encoding its chunks, snippets of neighbouring commits — are close together) (README, Benchmarks: the tuned limits).
 */
export const WORKER_MEMO_CHARS = 2 << 20;

/**
 * Token counts of strings already counted (a chunk thread's context budgets): a number per string
 * instead of its ids, in two generations of `maxChars` characters like memoTokenizer.
 *
 * Counts with a limit (Tokenizer.count) are kept as they come: exact when ≤ the limit, else a number
 * above it, kept negated (-n: "more than n - 1"). A kept bound answers a later call whose limit it
 * exceeds; a call with a higher limit counts again.
 */
export function countMemo(tok: Tokenizer, maxChars = 8 << 20): (text: string, limit?: number) => number {
  const memo = new Generations<number>(maxChars);
  const counted = (text: string, limit: number) => {
    const n = tok.count(text, limit);
    return n > limit ? -n : n;
  };
  return (text, limit = Infinity) => {
    if (text.length < MIN_CHARS) return tok.count(text, limit);
    let n = memo.get(text, (t) => counted(t, limit));
    if (n < 0 && -n <= limit) {
      // a bound below this call's limit: count again (and keep the new result)
      n = counted(text, limit);
      memo.set(text, n);
    }
    return Math.abs(n);
  };
}
