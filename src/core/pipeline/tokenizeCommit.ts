/**
 * Token ids of one (already redacted) commit: its serialized example(s) and each chunk's code.
 * A commit whose example would be truncated is split into groups of chunks (halves, recursively).
 * Pure function of its inputs: the same in the main thread and in token workers.
 */
import type { ChunkRecord, CommitInfo } from '../types';
import type { loadTokenizer } from '../tokenize/index';
import { planExample } from '../tokenize/format';
import type { ExampleMode, FormatName, ResolvedSettings } from './options';
import type { TokenGroup } from './tokcache';
import { minhash } from '../examples/dedup';
import type { ExampleMeta } from '../examples/examples';
import { specialLiteral } from '../tokenize/exact';

type Tokenizer = ReturnType<typeof loadTokenizer>;

export interface TokenizeSettings {
  format: FormatName;
  /** `unit`: a group per chunk (one example per changed unit); otherwise per commit, halved when over budget. */
  mode: ExampleMode;
  budgets: ResolvedSettings['budgets'];
  /** The context of an example is planned to fit it (snippets dropped, old code cut from its start). */
  contextWindow: number;
}

/**
 * A commit whose example would be truncated is split in halves (recursively) until each group fits or is
 * a single chunk. The probes only count truncations (no id arrays, no text); each kept group is
 * serialized once.
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
  const lit = specialLiteral(tok);
  const literals =
    [commit.author.name, commit.subject, commit.body].some(lit) ||
    chunks.some((c) => [c.path, c.oldCode, c.newCode, c.qualifiedName].some(lit) || c.context.some((x) => lit(x.code) || lit(x.symbol) || lit(x.path)));
  return [{ contextIds, targetIds: all.subarray(r.contextIds.length), meta: metaOf(chunks), truncated, targetTruncated: r.targetTruncated, head: r.headLength, literals }];
}

/** The chunks' paths, languages and kinds, each once in chunk order. */
export function metaOf(chunks: ChunkRecord[]): ExampleMeta {
  return { paths: [...new Set(chunks.map((c) => c.path))], languages: [...new Set(chunks.map((c) => c.language ?? 'unknown'))], kinds: [...new Set(chunks.map((c) => c.kind))] };
}

export function tokenizeCommit(tok: Tokenizer, commit: CommitInfo, chunks: ChunkRecord[], s: TokenizeSettings): { groups: TokenGroup[]; chunkIds: Int32Array[] } {
  const groups = s.mode === 'unit' ? chunks.flatMap((c) => serializeGroups(tok, commit, [c], s)) : chunks.length ? serializeGroups(tok, commit, chunks, s) : [];
  for (const g of groups) g.sig = minhash(g.targetIds);
  return {
    groups,
    chunkIds: chunks.map((x) => Int32Array.from(tok.encode(x.change === 'deleted' ? x.oldCode : x.newCode).ids)),
  };
}
