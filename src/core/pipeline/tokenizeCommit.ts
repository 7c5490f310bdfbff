/**
 * Token ids of one (already redacted) commit: its serialized example(s) and each chunk's code.
 * A commit whose example would be truncated is split into groups of chunks (halves, recursively).
 * Pure function of its inputs: the same in the main thread and in token workers.
 */
import type { ChunkRecord, CommitInfo } from '../types';
import { serializeExample, type loadTokenizer } from './stages';
import type { FormatName, ResolvedSettings } from './options';
import type { TokenGroup } from './tokcache';
import { minhash } from '../dataset/dedup';

type Tokenizer = ReturnType<typeof loadTokenizer>;

export interface TokenizeSettings {
  format: FormatName;
  budgets: ResolvedSettings['budgets'];
}

function truncCount(t: unknown): number {
  if (typeof t === 'number') return t;
  if (Array.isArray(t)) return t.length;
  return t ? 1 : 0;
}

/**
 * serializeExample decodes its whole example into `text`; while probing for the split into groups most
 * results are thrown away, so the probes run with a tokenizer whose decode is skipped, and only the
 * kept groups are decoded — with the same call serializeExample makes (decode(context ++ target)).
 */
function withoutDecode(tok: Tokenizer): Tokenizer {
  return Object.create(tok, { decode: { value: () => '' } }) as Tokenizer;
}

function serializeGroups(tok: Tokenizer, probe: Tokenizer, commit: CommitInfo, chunks: ChunkRecord[], s: TokenizeSettings): TokenGroup[] {
  const r = serializeExample(probe, { commit, chunks }, s.format, s.budgets);
  const truncated = truncCount(r.truncations);
  if (truncated > 0 && chunks.length > 1) {
    const mid = Math.ceil(chunks.length / 2);
    return [...serializeGroups(tok, probe, commit, chunks.slice(0, mid), s), ...serializeGroups(tok, probe, commit, chunks.slice(mid), s)];
  }
  // context and target back to back in one buffer (examples take views of it without copying)
  const all = new Int32Array(r.contextIds.length + r.targetIds.length);
  all.set(r.contextIds);
  all.set(r.targetIds, r.contextIds.length);
  const contextIds = all.subarray(0, r.contextIds.length);
  return [{ contextIds, targetIds: all.subarray(r.contextIds.length), text: tok.decode(all), truncated }];
}

export function tokenizeCommit(tok: Tokenizer, commit: CommitInfo, chunks: ChunkRecord[], s: TokenizeSettings): { groups: TokenGroup[]; chunkIds: Int32Array[] } {
  const groups = chunks.length ? serializeGroups(tok, withoutDecode(tok), commit, chunks, s) : [];
  for (const g of groups) g.sig = minhash(g.targetIds);
  return {
    groups,
    chunkIds: chunks.map((x) => Int32Array.from(tok.encode(x.change === 'deleted' ? x.oldCode : x.newCode).ids)),
  };
}
