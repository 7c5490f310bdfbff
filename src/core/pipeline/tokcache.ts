/**
 * Binary encoding of a commit's token cache entry (no JSON arrays of numbers: less garbage, faster):
 *   u32 LE header length, JSON header { key, groups: [{ ctx, tgt, meta, truncated, tt, lit, head }], chunks: [len…] },
 *   then int32 LE ids: each group's context then target, then each chunk's ids,
 *   then (when header.sig = n) n uint32 MinHash values per group.
 */

import type { ExampleMeta } from '../examples/examples';

export interface TokenGroup {
  contextIds: Int32Array;
  targetIds: Int32Array;
  /** The group's chunks' paths, languages and kinds. */
  meta: ExampleMeta;
  truncated: number;
  /** A budget cut the group's new code. */
  targetTruncated: boolean;
  /** Its text holds the literal of a special token (tokenize/exact.ts specialLiteral). */
  literals: boolean;
  /** Context tokens a window keeps (the header and message): SerializedExample.headLength. */
  head: number;
  /** MinHash signature of the target (near-dedup), computed with the tokens. */
  sig?: Uint32Array;
}

export interface TokenEntry {
  key: string;
  groups: TokenGroup[];
  chunkIds: Int32Array[];
}

export function encodeTokenEntry(e: TokenEntry): Buffer {
  const sigLen = e.groups.length > 0 && e.groups.every((g) => g.sig) ? e.groups[0].sig!.length : 0;
  const header = Buffer.from(
    JSON.stringify({
      key: e.key,
      groups: e.groups.map((g) => ({ ctx: g.contextIds.length, tgt: g.targetIds.length, meta: g.meta, truncated: g.truncated, tt: g.targetTruncated, lit: g.literals, head: g.head })),
      chunks: e.chunkIds.map((c) => c.length),
      sig: sigLen,
    }),
    'utf8',
  );
  let n = 0;
  for (const g of e.groups) n += g.contextIds.length + g.targetIds.length;
  for (const c of e.chunkIds) n += c.length;
  n += sigLen * e.groups.length;
  const ids = new Int32Array(n);
  let k = 0;
  for (const g of e.groups) {
    ids.set(g.contextIds, k);
    k += g.contextIds.length;
    ids.set(g.targetIds, k);
    k += g.targetIds.length;
  }
  for (const c of e.chunkIds) {
    ids.set(c, k);
    k += c.length;
  }
  if (sigLen) {
    for (const g of e.groups) {
      ids.set(new Int32Array(g.sig!.buffer, g.sig!.byteOffset, sigLen), k);
      k += sigLen;
    }
  }
  const out = Buffer.alloc(4 + header.length + ids.byteLength);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength).copy(out, 4 + header.length);
  return out;
}

/** Decodes an entry; returns undefined when the bytes are not a complete entry. */
export function decodeTokenEntry(buf: Buffer): TokenEntry | undefined {
  try {
    const hl = buf.readUInt32LE(0);
    const h = JSON.parse(buf.toString('utf8', 4, 4 + hl)) as {
      key: string;
      groups: Array<{ ctx: number; tgt: number; meta?: ExampleMeta; truncated: number; tt?: boolean; lit?: boolean; head?: number }>;
      chunks: number[];
      sig?: number;
    };
    const start = 4 + hl;
    const count = (buf.length - start) / 4;
    const sigLen = h.sig ?? 0;
    const expected = h.groups.reduce((a, g) => a + g.ctx + g.tgt, 0) + h.chunks.reduce((a, c) => a + c, 0) + sigLen * h.groups.length;
    if (count !== expected) return undefined;
    const ids = new Int32Array(count);
    Buffer.from(ids.buffer).set(buf.subarray(start));
    let k = 0;
    const take = (len: number) => {
      const v = ids.subarray(k, k + len);
      k += len;
      return v;
    };
    if (h.groups.some((g) => !Number.isInteger(g.head) || !g.meta || typeof g.tt !== 'boolean' || typeof g.lit !== 'boolean')) return undefined; // an entry of an earlier format
    const groups = h.groups.map((g) => ({ contextIds: take(g.ctx), targetIds: take(g.tgt), meta: g.meta!, truncated: g.truncated, targetTruncated: g.tt!, literals: g.lit!, head: g.head! }));
    const chunkIds = h.chunks.map((c) => take(c));
    if (sigLen)
      for (const g of groups as TokenGroup[]) {
        const v = take(sigLen);
        g.sig = new Uint32Array(v.buffer, v.byteOffset, sigLen);
      }
    return { key: h.key, groups, chunkIds };
  } catch {
    return undefined;
  }
}
