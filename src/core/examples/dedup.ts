/**
 * Duplicate detection.
 * - Exact: sha1 of normalized (whitespace-collapsed) old+new code.
 * - Near: MinHash over 5-gram shingles of token ids (256 permutations), LSH with 32 bands × 8 rows,
 *   candidates confirmed by the estimated Jaccard similarity (≥ threshold, default 0.7).
 */
import { createHash } from 'node:crypto';

export function normalizeCode(code: string): string {
  return code.replace(/\s+/g, ' ').trim();
}

export function exactKey(oldCode: string, newCode: string): string {
  return createHash('sha1').update(normalizeCode(oldCode)).update('\u0000').update(normalizeCode(newCode)).digest('hex');
}

export const NUM_PERM = 256;
export const SHINGLE = 5;
const BANDS = 32;
const ROWS = NUM_PERM / BANDS;

/**
 * Deterministic permutations h_i(x) = a_i·x + b_i (mod 2^32), a_i odd, applied to an already mixed
 * 32-bit shingle hash: one multiply and one add per (shingle, permutation).
 */
const PERM_A = new Uint32Array(NUM_PERM);
const PERM_B = new Uint32Array(NUM_PERM);
{
  let x = 0x9e3779b9;
  const next = () => {
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    return x;
  };
  for (let i = 0; i < NUM_PERM; i++) {
    PERM_A[i] = (next() | 1) >>> 0;
    PERM_B[i] = next();
  }
}

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Distinct hashed 5-gram shingles of a token id sequence (a shorter sequence is one shingle). */
export function shingles(ids: ArrayLike<number>, n = SHINGLE): Uint32Array {
  return Uint32Array.from(new Set(shingleHashes(ids, n)));
}

/** The hashed shingles in order, repeats included (a minimum over them is the minimum over the distinct ones). */
function shingleHashes(ids: ArrayLike<number>, n = SHINGLE): Uint32Array {
  const count = Math.max(1, ids.length - n + 1);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    let h = 0x811c9dc5;
    const end = Math.min(ids.length, i + n);
    for (let j = i; j < end; j++) h = Math.imul(h ^ ids[j], 0x01000193);
    out[i] = mix32(h >>> 0);
  }
  return out;
}

export function minhash(ids: ArrayLike<number>): Uint32Array {
  const sh = shingleHashes(ids);
  const n = sh.length;
  const sig = new Uint32Array(NUM_PERM);
  // four permutations per pass over the shingles (each shingle loaded once per four): same minima
  for (let p = 0; p < NUM_PERM; p += 4) {
    const a0 = PERM_A[p],
      a1 = PERM_A[p + 1],
      a2 = PERM_A[p + 2],
      a3 = PERM_A[p + 3];
    const b0 = PERM_B[p],
      b1 = PERM_B[p + 1],
      b2 = PERM_B[p + 2],
      b3 = PERM_B[p + 3];
    let m0 = 0xffffffff,
      m1 = 0xffffffff,
      m2 = 0xffffffff,
      m3 = 0xffffffff;
    for (let k = 0; k < n; k++) {
      const x = sh[k];
      const v0 = (Math.imul(a0, x) + b0) >>> 0;
      const v1 = (Math.imul(a1, x) + b1) >>> 0;
      const v2 = (Math.imul(a2, x) + b2) >>> 0;
      const v3 = (Math.imul(a3, x) + b3) >>> 0;
      if (v0 < m0) m0 = v0;
      if (v1 < m1) m1 = v1;
      if (v2 < m2) m2 = v2;
      if (v3 < m3) m3 = v3;
    }
    sig[p] = m0;
    sig[p + 1] = m1;
    sig[p + 2] = m2;
    sig[p + 3] = m3;
  }
  return sig;
}

export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let eq = 0;
  for (let i = 0; i < NUM_PERM; i++) if (a[i] === b[i]) eq++;
  return eq / NUM_PERM;
}

/** Exact Jaccard of two id sequences' shingle sets (tests and diagnostics). */
export function jaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const sa = new Set(shingles(a));
  const sb = new Set(shingles(b));
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  return inter / (sa.size + sb.size - inter || 1);
}

export interface NearDupEntry<T> {
  sig: Uint32Array;
  tag: T;
}

/** An LSH index over MinHash signatures. */
export class LshIndex<T> {
  private readonly buckets: Array<Map<number, number[]>> = Array.from({ length: BANDS }, () => new Map());
  private readonly entries: Array<NearDupEntry<T>> = [];

  constructor(readonly threshold = 0.7) {}

  /**
   * A band's 8 values hashed to one 53-bit number (two independent 32-bit mixes): numbers as Map keys
   * instead of strings (millions of keys on a large history). A collision could only add a candidate, which the
   * Jaccard estimate below still has to accept; at 2^-53 per pair it does not happen in practice.
   */
  private bandKey(sig: Uint32Array, b: number): number {
    let h1 = 0x9e3779b9 ^ b;
    let h2 = 0x85ebca6b ^ b;
    for (let r = 0; r < ROWS; r++) {
      const v = sig[b * ROWS + r];
      h1 = mix32(Math.imul(h1 ^ v, 0x01000193) >>> 0);
      h2 = mix32((h2 + Math.imul(v, 0xcc9e2d51)) >>> 0);
    }
    return (h1 >>> 0) * 2097152 + (h2 & 0x1fffff);
  }

  /** The first indexed entry (in insertion order) similar to sig whose tag passes `accept`, or undefined. */
  findSimilar(sig: Uint32Array, accept: (tag: T) => boolean = () => true): NearDupEntry<T> | undefined {
    const seen = new Set<number>();
    let best = -1;
    for (let b = 0; b < BANDS; b++) {
      const ids = this.buckets[b].get(this.bandKey(sig, b));
      if (!ids) continue;
      for (const id of ids) {
        if (seen.has(id)) continue;
        seen.add(id);
        const e = this.entries[id];
        if (!accept(e.tag)) continue;
        if (estimateJaccard(sig, e.sig) >= this.threshold && (best < 0 || id < best)) best = id;
      }
    }
    return best >= 0 ? this.entries[best] : undefined;
  }

  add(sig: Uint32Array, tag: T): void {
    const id = this.entries.length;
    this.entries.push({ sig, tag });
    for (let b = 0; b < BANDS; b++) {
      const k = this.bandKey(sig, b);
      const list = this.buckets[b].get(k);
      if (list) list.push(id);
      else this.buckets[b].set(k, [id]);
    }
  }
}

export type SplitName = 'train' | 'val' | 'test';

/**
 * Near-duplicate filtering over examples already assigned to splits, processed train → val → test
 * in their order: within a split the first is kept; a val/test example similar to a train example is removed.
 * Returns the indices to keep and the count removed per split.
 */
export function nearDedup(items: Array<{ split: SplitName; ids: ArrayLike<number>; sig?: Uint32Array }>, threshold = 0.7): { keep: boolean[]; removed: Record<SplitName, number> } {
  const index = new LshIndex<SplitName>(threshold);
  const keep = new Array<boolean>(items.length).fill(true);
  const removed: Record<SplitName, number> = { train: 0, val: 0, test: 0 };
  const order: SplitName[] = ['train', 'val', 'test'];
  for (const split of order) {
    items.forEach((it, i) => {
      if (it.split !== split) return;
      const sig = it.sig && it.sig.length === NUM_PERM ? it.sig : minhash(it.ids);
      const hit = index.findSimilar(sig, (tag) => tag === split || tag === 'train');
      if (hit) {
        keep[i] = false;
        removed[split] += 1;
      } else {
        index.add(sig, split);
      }
    });
  }
  return { keep, removed };
}
