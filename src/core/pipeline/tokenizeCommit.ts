/**
 * Token ids of one (already redacted) commit: its serialized example(s) and each chunk's code.
 * A commit whose example would be truncated is split into groups of chunks (halves, recursively).
 * Pure function of its inputs: the same in the main thread and in token workers.
 */
import type { ChunkRecord, CommitInfo } from '../types';
import type { loadTokenizer } from '../tokenize/index';
import { planExample } from '../tokenize/format';
import type { FormatName, ResolvedSettings } from './options';
import type { TokenGroup } from './tokcache';
import { minhash } from '../examples/dedup';

type Tokenizer = ReturnType<typeof loadTokenizer>;

export interface TokenizeSettings {
  format: FormatName;
  budgets: ResolvedSettings['budgets'];
  /** The context of an example is planned to fit it (snippets dropped, old code cut from its start). */
  contextWindow: number;
}

/**
 * A commit whose example would be truncated is split in halves (recursively) until each group fits or is
 * a single chunk. The probes only count truncations (no id arrays, no text); each kept group is
 * serialized once and its ids decoded into `text` (what serializeExample's text is: decode(context ++ target)).
 */
function serializeGroups(tok: Tokenizer, commit: CommitInfo, chunks: ChunkRecord[], s: TokenizeSettings): TokenGroup[] {
  const planned = planExample(tok, { commit, chunks }, s.format, s.budgets, s.contextWindow);
  const truncated = planned.truncations;
  if (truncated > 0 && chunks.length > 1) {
    const mid = Math.ceil(chunks.length / 2);
    return [...serializeGroups(tok, commit, chunks.slice(0, mid), s), ...serializeGroups(tok, commit, chunks.slice(mid), s)];
  }
  const r = planned.ids();
  // context and target back to back in one buffer (examples take views of it without copying)
  const all = new Int32Array(r.contextIds.length + r.targetIds.length);
  all.set(r.contextIds);
  all.set(r.targetIds, r.contextIds.length);
  const contextIds = all.subarray(0, r.contextIds.length);
  return [{ contextIds, targetIds: all.subarray(r.contextIds.length), text: tok.decode(all), truncated, head: r.headLength }];
}

export function tokenizeCommit(tok: Tokenizer, commit: CommitInfo, chunks: ChunkRecord[], s: TokenizeSettings): { groups: TokenGroup[]; chunkIds: Int32Array[] } {
  const groups = chunks.length ? serializeGroups(tok, commit, chunks, s) : [];
  for (const g of groups) g.sig = minhash(g.targetIds);
  return {
    groups,
    chunkIds: chunks.map((x) => Int32Array.from(tok.encode(x.change === 'deleted' ? x.oldCode : x.newCode).ids)),
  };
}
