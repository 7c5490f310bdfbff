/**
 * Exact text: a piece of a token stream is exact when encoding its decoded text gives back its ids, so that a
 * trainer that tokenizes an example's `prompt` and `completion` gets the example's ids.
 *
 * A Hugging Face tokenizer splits text at its added tokens before anything else (normalizer, pre-tokenizer, model
 * run on each piece between them), so a stream is exact when each of its runs (the ids between added tokens) is.
 * The serializer encodes every run from its text in one call, so whole runs are exact by construction; what a
 * window or a budget cuts out of a run is not always (a cut inside a word, inside a UTF-8 character, between a
 * newline and its indentation). `Stream` checks the pieces a cut makes (only the partial runs at their ends and
 * the runs glued where two ranges meet) and finds cut points near the wanted ones where they are exact; `canon`
 * re-encodes a piece's inexact runs when no such point is near, so every piece is exact either way.
 */
import type { Tokenizer } from './tokenizer';

/**
 * Whether some text holds the literal of a special token (`<|im_end|>` in code about chat models). The engine never
 * reads such a literal as the token (a repository cannot inject structure), but a trainer's tokenizer does by
 * default: those examples are the one known exception to exact text (counted as `special_literals`).
 */
export function specialLiteral(tok: Pick<Tokenizer, 'addedTokens' | 'vocabSize'>): (text: string) => boolean {
  const kept = literalTests.get(tok);
  if (kept && kept.size === tok.vocabSize) return kept.test;
  const test = literalTest(tok);
  literalTests.set(tok, { size: tok.vocabSize, test });
  return test;
}

const literalTests = new WeakMap<object, { size: number; test: (text: string) => boolean }>();

function literalTest(tok: Pick<Tokenizer, 'addedTokens'>): (text: string) => boolean {
  const lits = tok
    .addedTokens()
    .filter((t) => t.special && t.content.length > 0)
    .map((t) => t.content);
  if (lits.length === 0) return () => false;
  const re = new RegExp(lits.map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
  return (text) => re.test(text);
}

/** How far (in tokens) a cut may move to land on an exact point before the piece is re-encoded instead. */
export const CUT_SLACK = 48;

export class ExactText {
  private sepSet = new Set<number>();
  private sepFor = -1;
  /** Runs re-encoded (pieces with no exact cut nearby). */
  reencoded = 0;

  constructor(readonly tok: Pick<Tokenizer, 'encode' | 'decode' | 'addedTokens' | 'vocabSize'>) {}

  /** The added tokens' ids, read again when tokens were added (the markers are added on first use). */
  get sep(): ReadonlySet<number> {
    if (this.sepFor !== this.tok.vocabSize) {
      this.sepSet = new Set(this.tok.addedTokens().map((t) => t.id));
      this.sepFor = this.tok.vocabSize;
    }
    return this.sepSet;
  }

  isSep(id: number): boolean {
    return this.sep.has(id);
  }

  /** Whether `ids` (one run: no added token inside) re-encode to themselves. */
  runExact(ids: ArrayLike<number>): boolean {
    if (ids.length === 0) return true;
    const re = this.tok.encode(this.tok.decode(ids)).ids;
    if (re.length !== ids.length) return false;
    for (let i = 0; i < re.length; i++) if (re[i] !== ids[i]) return false;
    return true;
  }

  /** The exact form of `ids`: each run that does not re-encode to itself replaced by its re-encoding. */
  canon(ids: ArrayLike<number>): Int32Array {
    const out: number[] = [];
    const sep = this.sep;
    let a = 0;
    for (let i = 0; i <= ids.length; i++) {
      if (i < ids.length && !sep.has(ids[i])) continue;
      const run = Array.prototype.slice.call(ids, a, i) as number[];
      if (this.runExact(run)) out.push(...run);
      else {
        this.reencoded++;
        out.push(...this.tok.encode(this.tok.decode(run)).ids);
      }
      if (i < ids.length) out.push(ids[i]);
      a = i + 1;
    }
    return Int32Array.from(out);
  }

  /**
   * The longest exact prefix of the run `ids` of at most `keep` tokens: the prefix itself when it is exact, else
   * the nearest shorter one, else the re-encoding of the prefix's text (cut to `keep`).
   */
  head(ids: ArrayLike<number>, keep: number): number[] {
    for (let k = Math.min(keep, ids.length); k >= Math.max(0, keep - CUT_SLACK); k--) {
      const p = Array.prototype.slice.call(ids, 0, k) as number[];
      if (this.runExact(p)) return p;
    }
    return this.refit(Array.prototype.slice.call(ids, 0, keep) as number[], keep, true);
  }

  /** The longest exact suffix of the run `ids` of at most `keep` tokens (as `head`, from the end). */
  tail(ids: ArrayLike<number>, keep: number): number[] {
    for (let k = Math.min(keep, ids.length); k >= Math.max(0, keep - CUT_SLACK); k--) {
      const p = Array.prototype.slice.call(ids, ids.length - k) as number[];
      if (this.runExact(p)) return p;
    }
    return this.refit(Array.prototype.slice.call(ids, Math.max(0, ids.length - keep)) as number[], keep, false);
  }

  /** `ids` re-encoded, then shortened (re-encoding again) until they fit `keep`; each round drops a token, so it ends. */
  private refit(ids: number[], keep: number, fromStart: boolean): number[] {
    this.reencoded++;
    let cur = ids;
    for (;;) {
      const re = this.tok.encode(this.tok.decode(cur)).ids;
      if (re.length <= keep && this.runExact(re)) return re;
      if (cur.length === 0) return [];
      cur = fromStart ? cur.slice(0, cur.length - 1) : cur.slice(1);
    }
  }

  /** `joints`: positions where `all` joins pieces encoded apart (a run across one is not assumed exact). */
  stream(all: Int32Array, joints: readonly number[] = []): Stream {
    return new Stream(this, all, joints);
  }
}

/** A piece of a stream: ranges [start, end) of it, laid end to end. */
export type Ranges = ReadonlyArray<readonly [number, number]>;

/**
 * One stream (a group's context ++ target, or chunks laid end to end) and the exactness of pieces of it, remembered.
 * Its runs are assumed exact except where they cross a joint (a position where two separately encoded pieces meet).
 */
export class Stream {
  private readonly memo = new Map<string, boolean>();
  /** Per position: the index of the next added token at or after it (all.length if none). */
  private readonly next: Int32Array;
  /** joints[k] = the number of joints before position k. */
  private readonly joints: Int32Array;

  constructor(
    private readonly x: ExactText,
    readonly all: Int32Array,
    joints: readonly number[],
  ) {
    const n = all.length;
    this.joints = new Int32Array(n + 2);
    const at = new Uint8Array(n + 1);
    for (const j of joints) if (j > 0 && j < n) at[j] = 1;
    for (let k = 0; k <= n; k++) this.joints[k + 1] = this.joints[k] + at[k];
    this.next = new Int32Array(n + 1);
    this.next[n] = n;
    const sep = x.sep;
    for (let i = n - 1; i >= 0; i--) this.next[i] = sep.has(all[i]) ? i : this.next[i + 1];
  }

  private boundary(i: number, before: boolean): boolean {
    // an original run starts at i (before) or ends at i (!before)
    const { all } = this;
    return before ? i === 0 || this.x.isSep(all[i - 1]) : i === all.length || this.x.isSep(all[i]);
  }

  /**
   * Whether the piece made of `ranges` is exact, given that the stream's whole runs are: each of its runs that is
   * not one whole run of the stream (cut at an end, or glued where two ranges meet) is re-encoded and compared.
   */
  exact(ranges: Ranges): boolean {
    let pieces: Array<[number, number]> = [];
    let whole = true;
    const check = (): boolean => {
      const ok = whole || this.runExact(pieces);
      pieces = [];
      whole = true;
      return ok;
    };
    for (const [s, e] of ranges) {
      let i = s;
      while (i < e) {
        const j = Math.min(e, this.next[i]);
        if (j > i) {
          if (pieces.length > 0 || !this.boundary(i, true) || !this.boundary(j, false) || this.joints[j] - this.joints[i + 1] > 0) whole = false;
          pieces.push([i, j]);
        }
        if (j < e) {
          if (!check()) return false; // the added token at j ends the piece's run
          i = j + 1;
        } else i = e;
      }
    }
    return check();
  }

  private runExact(pieces: Array<[number, number]>): boolean {
    const key = pieces.map((p) => `${p[0]}:${p[1]}`).join(',');
    let ok = this.memo.get(key);
    if (ok === undefined) {
      const ids: number[] = [];
      for (const [a, b] of pieces) for (let i = a; i < b; i++) ids.push(this.all[i]);
      ok = this.x.runExact(ids);
      this.memo.set(key, ok);
    }
    return ok;
  }

  /** The piece's ids, exact: the ranges laid end to end, re-encoded where that is needed. */
  ids(ranges: Ranges): Int32Array {
    let ids: Int32Array;
    if (ranges.length === 1) ids = this.all.subarray(ranges[0][0], ranges[0][1]);
    else {
      ids = new Int32Array(ranges.reduce((n, [s, e]) => n + e - s, 0));
      let k = 0;
      for (const [s, e] of ranges) {
        ids.set(this.all.subarray(s, e), k);
        k += e - s;
      }
    }
    return this.exact(ranges) ? ids : this.x.canon(ids);
  }
}
