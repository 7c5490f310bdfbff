/**
 * Stage 4, tokens: each prepared commit's tokens (cached by the job's content), in commit order, its chunk rows
 * streamed to chunks.jsonl; token ids go to the spill file as they come, so they do not stay in memory beside
 * the threads.
 *
 *   queue of Prepared → TokenOutput (spilled groups or stream segments, each chunk's ids, counts)
 *
 * Which encoder runs (this thread, or the executor's token workers) is the orchestrator's choice; results are
 * consumed in commit order through a bounded window, so the output is the same either way.
 */
import type { ChunkRecord, CommitInfo } from '../../types';
import type { SplitName } from '../../examples/dedup';
import type { BoundedQueue } from '../queue';
import type { Run } from '../run';
import type { SpillRef, SpillStore } from '../spill';
import { decodeTokenEntry, encodeTokenEntry, type TokenEntry, type TokenGroup } from '../tokcache';
import { tokenizeCommit } from '../tokenizeCommit';
import type { ExampleMeta, StreamSegment } from '../../examples/examples';
import type { Prepared } from './prepare';

/** Commits whose results wait in order: 16 keep 2 workers busy; each waiting result holds its ids and texts. */
export const WINDOW = 16;

export type TokenResult = { groups: TokenGroup[]; chunkIds: Int32Array[] };

/** Encodes one commit's job (JSON of { commit, chunks }, the text the workers get too). */
export type TokenEncoder = (job: string, hash: string) => TokenResult | Promise<TokenResult>;

/** The encoder of this thread. */
export function localEncoder(run: Run): TokenEncoder {
  return (job) => {
    const { commit, chunks } = JSON.parse(job) as { commit: CommitInfo; chunks: ChunkRecord[] };
    return tokenizeCommit(run.memoTokenizer(), commit, chunks, run.settings);
  };
}

/** Commits of `order` without a token cache entry. */
export function countUncached(run: Run, order: string[]): number {
  let n = 0;
  for (const h of order) if (!run.cache.hasBytes(run.tokNs, h)) n++;
  return n;
}

/** One tokenized group of a commit (commit mode); its ids and signature wait in the spill file. */
export interface SpilledGroup {
  hash: string;
  split: SplitName;
  numChunks: number;
  /** Context ids then target ids. */
  all: SpillRef;
  ctxLen: number;
  /** Context tokens every window keeps (header and message). */
  head: number;
  meta: ExampleMeta;
  truncated: number;
  targetTruncated: boolean;
  /** The group's text holds the literal of a special token. */
  literals: boolean;
  sig?: SpillRef;
}

/** One chunk's ids in the token stream (sequential mode). */
export type StreamChunk = StreamSegment & { split: SplitName; ids: Int32Array };

export interface TokenOutput {
  /** Commit mode: each group's ids and signature, spilled. */
  groups: SpilledGroup[];
  /** Sequential mode: each chunk's ids, path, language and kind. */
  segs: StreamChunk[];
  /** Each chunk's ids (stats), spilled. */
  chunkIdRefs: SpillRef[];
  tokens: number;
  /** Commits encoded by this run (the others came from the cache). */
  tokenized: number;
}

export interface TokenPassInput {
  commits: number;
  queue: BoundedQueue<Prepared>;
  encode: TokenEncoder;
  spill: SpillStore;
  /** Writes one chunks.jsonl row (and its seed-layout twin). */
  writeRow: (line: string) => void;
  /** While chunking runs, its progress is what the shells show. */
  chunking: () => boolean;
}

interface InFlight {
  h: string;
  split: SplitName;
  job: string;
  spans: number[];
  redactions: number[];
  result: TokenEntry | Promise<TokenEntry>;
}

/**
 * The token pass over one repository's prepared commits; its groups, segments and ids are added to `out` (a build
 * of several repositories collects them all there). Returns this pass's counts.
 */
export async function tokenPass(run: Run, input: TokenPassInput, out: TokenOutput = emptyTokenOutput()): Promise<{ tokens: number; tokenized: number }> {
  const { queue, spill, encode } = input;
  const before = { tokens: out.tokens, tokenized: out.tokenized };
  const inflight: InFlight[] = [];
  let done = 0;
  const finishOne = async () => {
    const f = inflight.shift()!;
    collect(run, out, f, await f.result, spill, input.writeRow);
    ++done;
    if (!input.chunking()) run.progress('tokens', done, input.commits);
  };
  for (let i = 0; i < input.commits; i++) {
    run.checkAbort();
    const { h, split, job: j, key, spans, redactions } = await queue.take();
    run.checkAbort();
    const job = typeof j === 'string' ? j : spill.get(j);
    const bytes = run.cache.getBytes(run.tokNs, h);
    const hit = bytes ? decodeTokenEntry(bytes) : undefined;
    let result: TokenEntry | Promise<TokenEntry>;
    if (hit && hit.key === key) result = hit;
    else {
      out.tokenized++;
      const keep = (r: TokenResult): TokenEntry => {
        const entry = { key, ...r };
        run.cache.putBytes(run.tokNs, h, encodeTokenEntry(entry));
        return entry;
      };
      const r = encode(job, h);
      if (r instanceof Promise) {
        result = r.then(keep);
        result.catch(() => undefined); // awaited in order below; never an unhandled rejection meanwhile
      } else result = keep(r);
    }
    inflight.push({ h, split, job, spans, redactions, result });
    if (inflight.length >= WINDOW) await finishOne();
  }
  while (inflight.length) await finishOne();
  return { tokens: out.tokens - before.tokens, tokenized: out.tokenized - before.tokenized };
}

export function emptyTokenOutput(): TokenOutput {
  return { groups: [], segs: [], chunkIdRefs: [], tokens: 0, tokenized: 0 };
}

/** One commit's tokens: its chunk rows written, its ids spilled. */
function collect(run: Run, out: TokenOutput, f: InFlight, t: TokenEntry, spill: SpillStore, writeRow: (line: string) => void): void {
  const { h, split, job, spans, redactions } = f;
  const { mode } = run.settings;
  const repo = JSON.stringify(run.name);
  for (let i = 0; i < spans.length / 2; i++) {
    const ids = t.chunkIds[i];
    out.chunkIdRefs.push(spill.putArrays(ids));
    const chunkJson = job.slice(spans[2 * i], spans[2 * i + 1]);
    // = JSON.stringify({ ...chunk, repo, dataset_split, tokens, redactions } satisfies ChunkRow): the chunk's JSON with four more keys
    writeRow(`${chunkJson.slice(0, -1)},"repo":${repo},"dataset_split":${JSON.stringify(split)},"tokens":${ids.length},"redactions":${redactions[i]}}\n`);
    if (mode === 'sequential') {
      const c = JSON.parse(chunkJson) as ChunkRecord;
      out.segs.push({ commitHash: h, ids, path: c.path, language: c.language ?? 'unknown', kind: c.kind, split });
    }
  }
  for (const g of t.groups) {
    out.tokens += g.contextIds.length + g.targetIds.length;
    if (mode !== 'sequential') {
      const all = spill.putArrays(g.contextIds, g.targetIds);
      out.groups.push({
        hash: h,
        split,
        numChunks: mode === 'unit' ? 1 : spans.length / 2,
        all,
        ctxLen: g.contextIds.length,
        head: g.head,
        meta: g.meta,
        truncated: g.truncated,
        targetTruncated: g.targetTruncated,
        literals: g.literals,
        sig: g.sig && spill.putArrays(g.sig),
      });
    }
  }
}
