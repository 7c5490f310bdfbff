/**
 * The BPE model of tokenizer.json: vocab + merges (both "a b" and ["a","b"] forms), ignore_merges,
 * byte_fallback, unk_token/fuse_unk, continuing_subword_prefix / end_of_word_suffix.
 * Merging mirrors Hugging Face exactly: a min-heap of (rank, position), stale entries skipped.
 * Results are cached per pre-token (bounded Map), which is where the speed comes from.
 */
import { BYTE_TO_CHAR, utf8Into } from './bytes';
import { UnsupportedTokenizerError } from './normalizer';

export interface BpeResult {
  ids: number[];
  /** Flat [start, end) pairs per token, in bytes (byte-level) or code units (otherwise) of the piece. */
  spans: number[];
}

const POS_BITS = 2 ** 26;
const CACHE_LIMIT = 200_000;
/** Longer pre-tokens are not cached (bounds the cache's memory). */
const CACHE_MAX_PIECE = 256;
/** Words up to this many symbols are merged by scanning (no heap); same result as the heap order. */
const SMALL = 40;

/* eslint-disable @typescript-eslint/no-explicit-any */
export class BpeModel {
  readonly vocab = new Map<string, number>();
  readonly idToToken: string[] = [];
  private readonly unkId: number | undefined;
  private readonly fuseUnk: boolean;
  private readonly byteFallback: boolean;
  private readonly ignoreMerges: boolean;
  private readonly prefix: string;
  private readonly suffix: string;
  private readonly byteIds: Int32Array; // byte → id of its byte-level char (-1 if absent)
  private readonly fallbackIds: Int32Array; // byte → id of "<0xXX>" (-1 if absent)
  // Open-addressing pair table: (a, b) → rank, newId.
  private readonly mask: number;
  private readonly keyA: Int32Array;
  private readonly keyB: Int32Array;
  private readonly rankOf: Int32Array;
  private readonly newIdOf: Int32Array;
  private readonly newIdByRank: Int32Array;
  private cache = new Map<string, BpeResult>();
  private readonly bytes: number[] = [];
  private readonly unitOf: number[] = [];

  constructor(
    spec: any,
    readonly byteLevel: boolean,
  ) {
    if (spec?.type !== undefined && spec.type !== 'BPE') throw new UnsupportedTokenizerError(`unsupported model "${spec.type}" (only BPE is supported)`);
    if (spec.dropout != null && spec.dropout > 0) throw new UnsupportedTokenizerError('unsupported BPE dropout (training-time only)');
    for (const [tok, id] of Object.entries(spec.vocab as Record<string, number>)) {
      this.vocab.set(tok, id);
      this.idToToken[id] = tok;
    }
    this.unkId = spec.unk_token != null ? this.vocab.get(spec.unk_token) : undefined;
    this.fuseUnk = !!spec.fuse_unk;
    this.byteFallback = !!spec.byte_fallback;
    this.ignoreMerges = !!spec.ignore_merges;
    this.prefix = spec.continuing_subword_prefix ?? '';
    this.suffix = spec.end_of_word_suffix ?? '';
    this.byteIds = new Int32Array(256).fill(-1);
    this.fallbackIds = new Int32Array(256).fill(-1);
    for (let b = 0; b < 256; b++) {
      this.byteIds[b] = this.vocab.get(BYTE_TO_CHAR[b]) ?? -1;
      this.fallbackIds[b] = this.vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`) ?? -1;
    }
    const merges: any[] = spec.merges ?? [];
    let size = 1024;
    while (size < merges.length * 2) size *= 2;
    this.mask = size - 1;
    this.keyA = new Int32Array(size).fill(-1);
    this.keyB = new Int32Array(size);
    this.rankOf = new Int32Array(size);
    this.newIdOf = new Int32Array(size);
    this.newIdByRank = new Int32Array(merges.length);
    for (let r = 0; r < merges.length; r++) {
      const m = merges[r];
      let a: string, b: string;
      if (typeof m === 'string') {
        const parts = m.split(' ');
        if (parts.length !== 2) throw new UnsupportedTokenizerError(`invalid merge #${r} ${JSON.stringify(m)}`);
        [a, b] = parts;
      } else if (Array.isArray(m) && m.length === 2) [a, b] = m;
      else throw new UnsupportedTokenizerError(`invalid merge #${r} ${JSON.stringify(m)}`);
      const ia = this.vocab.get(a);
      const ib = this.vocab.get(b);
      const merged = a + b.slice(this.prefix.length); // as HF: the prefix length is cut from b
      const inew = this.vocab.get(merged);
      if (ia === undefined || ib === undefined || inew === undefined) {
        throw new UnsupportedTokenizerError(`merge #${r} ${JSON.stringify([a, b])} uses a token missing from the vocabulary`);
      }
      this.newIdByRank[r] = inew;
      this.put(ia, ib, r, inew);
    }
  }

  private slot(a: number, b: number): number {
    let h = ((Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) >>> 7) & this.mask;
    while (this.keyA[h] !== -1 && (this.keyA[h] !== a || this.keyB[h] !== b)) h = (h + 1) & this.mask;
    return h;
  }

  private put(a: number, b: number, rank: number, newId: number): void {
    const h = this.slot(a, b);
    this.keyA[h] = a;
    this.keyB[h] = b;
    this.rankOf[h] = rank;
    this.newIdOf[h] = newId;
  }

  /** Rank of the pair, or -1. */
  private rank(a: number, b: number): number {
    const h = this.slot(a, b);
    return this.keyA[h] === -1 ? -1 : this.rankOf[h];
  }

  clearCache(): void {
    this.cache = new Map();
  }

  tokenize(piece: string): BpeResult {
    if (piece.length > CACHE_MAX_PIECE) return this.compute(piece); // e.g. whole texts without a pre-tokenizer
    let r = this.cache.get(piece);
    if (r === undefined) {
      r = this.compute(piece);
      if (this.cache.size >= CACHE_LIMIT) this.cache = new Map();
      this.cache.set(piece, r);
    }
    return r;
  }

  private compute(piece: string): BpeResult {
    // Initial symbols: ids with their spans.
    const ids: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    if (this.byteLevel) {
      const n = utf8Into(piece, this.bytes);
      if (this.ignoreMerges) {
        let s = '';
        for (let k = 0; k < n; k++) s += BYTE_TO_CHAR[this.bytes[k]];
        const whole = this.vocab.get(s);
        if (whole !== undefined) return { ids: [whole], spans: [0, n] };
      }
      const simple = !this.prefix && !this.suffix;
      for (let k = 0; k < n; k++) {
        const b = this.bytes[k];
        let id: number | undefined = simple ? this.byteIds[b] : this.vocab.get(this.affix(BYTE_TO_CHAR[b], k === 0, k === n - 1));
        if (id === -1) id = undefined;
        this.pushSymbol(ids, starts, ends, id, BYTE_TO_CHAR[b], k, k + 1);
      }
    } else {
      if (this.ignoreMerges) {
        const whole = this.vocab.get(piece);
        if (whole !== undefined) return { ids: [whole], spans: [0, piece.length] };
      }
      for (let i = 0; i < piece.length;) {
        const cp = piece.codePointAt(i)!;
        const w = cp > 0xffff ? 2 : 1;
        const ch = piece.slice(i, i + w);
        const id = this.vocab.get(this.affix(ch, i === 0, i + w >= piece.length));
        this.pushSymbol(ids, starts, ends, id, ch, i, i + w);
        i += w;
      }
    }
    return this.merge(ids, starts, ends);
  }

  private affix(unit: string, first: boolean, last: boolean): string {
    return (first ? '' : this.prefix) + unit + (last ? this.suffix : '');
  }

  private pushSymbol(ids: number[], starts: number[], ends: number[], id: number | undefined, unit: string, s: number, e: number): void {
    if (id !== undefined) {
      ids.push(id);
      starts.push(s);
      ends.push(e);
      return;
    }
    if (this.byteFallback) {
      const n = utf8Into(unit, this.bytes);
      let ok = true;
      for (let k = 0; k < n; k++) if (this.fallbackIds[this.bytes[k]] < 0) ok = false;
      if (ok) {
        for (let k = 0; k < n; k++) {
          ids.push(this.fallbackIds[this.bytes[k]]);
          starts.push(s);
          ends.push(e);
        }
        return;
      }
    }
    if (this.unkId === undefined) return; // Hugging Face drops the character.
    if (this.fuseUnk && ids.length > 0 && ids[ids.length - 1] === this.unkId && ends[ends.length - 1] === s) {
      ends[ends.length - 1] = e;
      return;
    }
    ids.push(this.unkId);
    starts.push(s);
    ends.push(e);
  }

  /**
   * The heap always holds every current pair, and a stale entry can never pass the new-id check (the
   * pair's text changed length), so HF's order is: lowest rank first, leftmost on ties. Scanning for
   * that minimum gives the same merges without allocating a heap.
   */
  private mergeSmall(ids: number[], starts: number[], ends: number[]): BpeResult {
    let n = ids.length;
    const ranks: number[] = [];
    for (let k = 0; k + 1 < n; k++) ranks.push(this.rank(ids[k], ids[k + 1]));
    for (;;) {
      let best = -1;
      let bestRank = 0x7fffffff;
      for (let k = 0; k + 1 < n; k++) {
        const r = ranks[k];
        if (r >= 0 && r < bestRank) {
          bestRank = r;
          best = k;
        }
      }
      if (best < 0) break;
      ids[best] = this.newIdByRank[bestRank];
      ends[best] = ends[best + 1];
      ids.splice(best + 1, 1);
      starts.splice(best + 1, 1);
      ends.splice(best + 1, 1);
      ranks.splice(best, 1);
      n--;
      if (best > 0) ranks[best - 1] = this.rank(ids[best - 1], ids[best]);
      if (best + 1 < n) ranks[best] = this.rank(ids[best], ids[best + 1]);
    }
    const spans: number[] = new Array(2 * n);
    for (let k = 0; k < n; k++) {
      spans[2 * k] = starts[k];
      spans[2 * k + 1] = ends[k];
    }
    return { ids, spans };
  }

  private merge(ids: number[], starts: number[], ends: number[]): BpeResult {
    const n = ids.length;
    if (n <= 1) return { ids, spans: n === 1 ? [starts[0], ends[0]] : [] };
    if (n <= SMALL) return this.mergeSmall(ids, starts, ends);
    if (n >= POS_BITS) throw new Error(`pre-token too long for BPE (${n} symbols)`);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const alive = new Uint8Array(n).fill(1);
    for (let k = 0; k < n; k++) {
      next[k] = k + 1 < n ? k + 1 : -1;
      prev[k] = k - 1;
    }
    const heap: number[] = [];
    for (let k = 0; k + 1 < n; k++) {
      const r = this.rank(ids[k], ids[k + 1]);
      if (r >= 0) heapPush(heap, r * POS_BITS + k);
    }
    while (heap.length > 0) {
      const top = heapPop(heap);
      const pos = top % POS_BITS;
      const rank = (top - pos) / POS_BITS;
      if (!alive[pos]) continue;
      const nx = next[pos];
      if (nx < 0) continue;
      const h = this.slot(ids[pos], ids[nx]);
      if (this.keyA[h] === -1 || this.newIdOf[h] !== this.newIdByRank[rank]) continue;
      ids[pos] = this.newIdByRank[rank];
      ends[pos] = ends[nx];
      alive[nx] = 0;
      const nn = next[nx];
      next[pos] = nn;
      if (nn >= 0) prev[nn] = pos;
      const pv = prev[pos];
      if (pv >= 0) {
        const r = this.rank(ids[pv], ids[pos]);
        if (r >= 0) heapPush(heap, r * POS_BITS + pv);
      }
      if (nn >= 0) {
        const r = this.rank(ids[pos], ids[nn]);
        if (r >= 0) heapPush(heap, r * POS_BITS + pos);
      }
    }
    const outIds: number[] = [];
    const spans: number[] = [];
    for (let k = 0; k >= 0; k = next[k]) {
      outIds.push(ids[k]);
      spans.push(starts[k], ends[k]);
    }
    return { ids: outIds, spans };
  }
}

function heapPush(h: number[], v: number): void {
  let i = h.length;
  h.push(v);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p] <= v) break;
    h[i] = h[p];
    i = p;
  }
  h[i] = v;
}

function heapPop(h: number[]): number {
  const top = h[0];
  const last = h.pop()!;
  const n = h.length;
  if (n > 0) {
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && h[c + 1] < h[c]) c++;
      if (h[c] >= last) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = last;
  }
  return top;
}
