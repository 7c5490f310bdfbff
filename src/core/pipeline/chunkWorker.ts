/**
 * Chunk workers: the chunks stage over worker threads, one contiguous slice of the commit list each
 * (`sinceCommit..ref` walked by its own repository reader and chunker), each chunked commit sent as JSON to
 * the pipeline thread, which takes them in commit order, scrubs them and writes them to the cache, so the output
 * is the same as a one-thread build (chunkCommit is a function of the commit and the repository only). A commit a
 * slice's walk did not reach stays missing and is chunked by the caller afterwards.
 *
 * Worker side: a script started with workerData.ccRole === 'cc-chunk' (dispatched by runTokenWorkerIfAsked).
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { heapHoldsTokenizer, startThread } from './thread';
import type { ChunkRecord, CommitInfo, CommitRecord, RepoReader, SkipReason } from '../types';
import { countMemo, WORKER_MEMO_CHARS } from './memoTokenizer';
import { createChunker, loadTokenizer, openRepository } from './stages';
import type { RedactionKind } from '../dataset/redact';
import { scrubCommit, type ScrubSettings } from '../dataset/scrub';

export const CHUNK_ROLE = 'cc-chunk';

/** A commit's chunk-cache entry: its scrubbed commit and chunks plus the file counts the stats need. */
export interface CommitCacheEntry {
  /** The commit, message cleaned and redacted (see scrubCommit). */
  commit: CommitInfo;
  /** The cleaned, redacted message ('' when trivial). */
  message: string;
  chunks: ChunkRecord[];
  /** Redactions in each chunk (same order as `chunks`). */
  redactions: number[];
  /** Redactions of the commit by kind. */
  redacted: Partial<Record<RedactionKind, number>>;
  files: number;
  skips: Partial<Record<SkipReason, number>>;
  languages: Record<string, number>;
  changedBytes: number;
  /** Paths (redacted) of the files over the per-file time budget: the log names them on every build. */
  timeouts?: string[];
  error?: string;
}

/** Is a value read from the cache a whole entry of commit `hash`? (A damaged or foreign one is chunked again.) */
export function isEntryOf(hash: string): (v: CommitCacheEntry) => boolean {
  return (v) => v.commit?.hash === hash && Array.isArray(v.chunks) && Array.isArray(v.redactions) && v.redactions.length === v.chunks.length && typeof v.message === 'string';
}

/** History options as plain data (dates as ISO strings) so they cross to a worker. */
export interface SliceHistory {
  ref: string;
  since?: string;
  until?: string;
  include?: string[];
  exclude?: string[];
  languages?: string[];
  includeMerges: boolean;
  skipBots: boolean;
  maxFileBytes: number;
  detectRenames: 'exact' | 'similarity';
}

export interface ChunkSettings extends ScrubSettings {
  maxChunkChars: number;
  contextLines: number;
  snippetTokens: number;
  contextTokens: number;
  context: boolean;
  /** Seconds one file may take (ChunkOptions.fileBudgetMs). */
  fileTimeout: number;
}

interface SliceJob {
  ccRole: typeof CHUNK_ROLE;
  repoDir: string;
  allowMissingObjects: boolean;
  tokenizer?: string;
  chunk: ChunkSettings;
  history: SliceHistory;
  /** The slice: commits `sinceCommit..ref`, of which `hashes` are to be chunked. */
  ref: string;
  sinceCommit?: string;
  hashes: string[];
  /** Files (`commit\0path`) an earlier thread of this slice got stuck in: skipped with reason `timeout`. */
  stuck: string[];
  /**
   * Leaner caches (for threads that share the machine with token workers): a 2M-character count memo
   * instead of 8M, history caches of 56 instead of 112 MiB, parse trees of 2M instead of 4M characters.
   * With a 256 MiB heap, tokio --overlap peaked at 900–965 MiB (1,057 MiB before the tree cache was cut).
   */
  lean?: boolean;
}

/**
 * Texts whose parse trees a lean chunk thread keeps for incremental parsing (the chunker's default is 4M).
 * The trees live in tree-sitter's wasm memory, which never shrinks: tokio's first 3,000 commits, 2M
 * characters: wasm + buffers 149 instead of 197 MiB, chunking time within noise (29.6 vs 28.7 s);
 * 1M: 124 MiB but 20% slower.
 */
const LEAN_TREE_CACHE_CHARS = 2_000_000;

/** History cache budget of a lean chunk thread (blob ring, delta bases, raw trees). */
const LEAN_HISTORY_CACHE = { blobBytes: 32 << 20, deltaBaseBytes: 16 << 20, treeBytes: 8 << 20 };

type SliceMessage =
  | { type: 'entry'; hash: string; json: string }
  | { type: 'file'; key: string }
  | { type: 'out-of-memory' }
  | { type: 'end' }
  | { type: 'error'; error: string; stack?: string };

/**
 * Parsed-file analyses kept by a build's chunker (LRU; a pure cache, the output does not depend on it).
 * The chunker's default (4096) holds hundreds of MiB of analyses on tokio; 1024 keeps the hits that
 * matter (the next commit touching a file) — tokio 1,500 commits: peak RSS 894 vs 999 MiB, chunks 18.1 vs 19.5 s.
 */
const ANALYSIS_CACHE_ENTRIES = 1024;

export function chunkerOptions(s: ChunkSettings, count: (text: string, limit?: number) => number) {
  return { maxChunkChars: s.maxChunkChars, contextLines: s.contextLines, snippetTokens: s.snippetTokens, contextTokens: s.contextTokens, countTokens: count, context: s.context, cacheEntries: ANALYSIS_CACHE_ENTRIES, fileBudgetMs: s.fileTimeout * 1000 };
}

export function historyOptions(h: SliceHistory) {
  return { ...h, since: h.since ? new Date(h.since) : undefined, until: h.until ? new Date(h.until) : undefined };
}

type Chunker = Awaited<ReturnType<typeof createChunker>>;

/** One commit as the chunk stage makes it, before hygiene: never cached, never logged (see scrubEntry). */
export interface ChunkedCommit {
  commit: CommitInfo;
  chunks: ChunkRecord[];
  files: number;
  skips: Partial<Record<SkipReason, number>>;
  languages: Record<string, number>;
  changedBytes: number;
  /** Paths of the files over the per-file time budget. */
  timeouts: string[];
  error?: string;
}

/** One commit's chunks plus the file counts the stats need. */
export async function chunkOne(chunker: Chunker, rec: CommitRecord, repo: RepoReader): Promise<ChunkedCommit> {
  const chunks: ChunkRecord[] = rec.error ? [] : await chunker.chunkCommit(rec, repo);
  // counted after chunking: a file over its time budget has the skip reason `timeout` now
  const skips: Partial<Record<SkipReason, number>> = {};
  const languages: Record<string, number> = {};
  const timeouts: string[] = [];
  let changedBytes = 0;
  for (const f of rec.files) {
    if (f.skip) skips[f.skip] = (skips[f.skip] ?? 0) + 1;
    if (f.skip === 'timeout') timeouts.push(f.path);
    if (f.language) languages[f.language] = (languages[f.language] ?? 0) + 1;
    changedBytes += (f.newText?.length ?? 0) + (f.oldText?.length ?? 0);
  }
  return { commit: rec.commit, chunks, files: rec.files.length, skips, languages, changedBytes, timeouts, ...(rec.error ? { error: rec.error } : {}) };
}

/**
 * The cache entry of a chunked commit: its message cleaned and every string redacted (scrubCommit). Done by the
 * thread that writes the cache, right before it does, so that nothing unredacted is ever stored; on chunk
 * threads that is the pipeline thread, beside them, not the chunk thread itself.
 */
export function scrubEntry(c: ChunkedCommit, settings: ScrubSettings): CommitCacheEntry {
  const s = scrubCommit(c.commit, c.chunks, c.error, settings, c.timeouts);
  return {
    commit: s.commit, message: s.message, chunks: s.chunks, redactions: s.redactions, redacted: s.redacted,
    files: c.files, skips: c.skips, languages: c.languages, changedBytes: c.changedBytes,
    ...(s.timeouts.length ? { timeouts: s.timeouts } : {}),
    ...(s.error !== undefined ? { error: s.error } : {}),
  };
}

/**
 * Heap cap of a chunk worker (tokio: chunk-phase RSS ~830 instead of ~1,120 MiB, chunks ~13% slower). Its live data is ~150–200 MiB on tokio (tokenizer, parsed-file analyses,
 * memo, history caches) but uncapped V8 let the heap grow past 500 MiB. A slice that runs out of it is
 * not an error: the commits it did not reach are chunked by the caller.
 */
export const CHUNK_WORKER_HEAP_MB = 384;

/** Worker side. Returns false when this thread is not a chunk worker. */
export function runChunkWorkerIfAsked(): boolean {
  if (!workerData || workerData.ccRole !== CHUNK_ROLE || !parentPort) return false;
  const port = parentPort;
  const job = workerData as SliceJob;
  const send = (m: SliceMessage) => port.postMessage(m);
  if (!heapHoldsTokenizer(job.tokenizer)) {
    send({ type: 'out-of-memory' });
    return true;
  }
  (async () => {
    const tok = loadTokenizer(job.tokenizer);
    tok.withMarkers();
    const count = job.lean ? countMemo(tok, WORKER_MEMO_CHARS) : countMemo(tok);
    const repo = await openRepository(job.repoDir, { allowMissingObjects: job.allowMissingObjects, ...(job.lean ? { cache: LEAN_HISTORY_CACHE } : {}) });
    const stuck = new Set(job.stuck);
    const chunker = await createChunker({
      ...chunkerOptions(job.chunk, count),
      ...(job.lean ? { treeCacheChars: LEAN_TREE_CACHE_CHARS } : {}),
      // the main side's watchdog follows each file (a message needs no turn of this thread's event loop)
      onFile: (commit, path) => send({ type: 'file', key: `${commit}\0${path}` }),
      skipFile: (commit, path) => stuck.has(`${commit}\0${path}`),
    });
    try {
      const want = new Set(job.hashes);
      for await (const rec of repo.history({ ...historyOptions(job.history), ref: job.ref, sinceCommit: job.sinceCommit }) as AsyncIterable<CommitRecord>) {
        if (!want.has(rec.commit.hash)) continue;
        // the pipeline thread (idle meanwhile) scrubs the entry and writes it to the cache: off this thread
        send({ type: 'entry', hash: rec.commit.hash, json: JSON.stringify(await chunkOne(chunker, rec, repo)) });
      }
      send({ type: 'end' });
    } finally {
      chunker.dispose();
      repo.close();
    }
  })().catch((e: unknown) => send({ type: 'error', error: (e as Error)?.message ?? String(e), stack: (e as Error)?.stack }));
  return true;
}

/** What the main side needs to know of the build, besides the slices. */
export interface ChunkThreadsRun {
  onEntry: (hash: string, json: string) => void;
  log: (line: string) => void;
  signal?: AbortSignal;
  heapMb?: number;
}

/**
 * Main side: chunks `order`'s `missing` commits over `count` contiguous slices, one worker thread each
 * (`script` as for TokenPool). Resolves with the files found stuck (`commit\0path`) when every slice ended;
 * `onEntry` is called with each commit's hash and chunked commit (JSON). Aborting the signal terminates the workers.
 *
 * A watchdog follows each thread file by file: a file whose work goes on well past the per-file budget is stuck
 * in a step that cannot be interrupted from inside (one regex call, one wasm call), so the thread is terminated
 * and its slice restarted at that commit with the file skipped (reason `timeout`). Each restart skips one more
 * file, so a slice always ends.
 */
export async function chunkInWorkers(
  script: string,
  count: number,
  base: Omit<SliceJob, 'ccRole' | 'ref' | 'sinceCommit' | 'hashes' | 'stuck'>,
  order: string[],
  missing: Set<string>,
  run: ChunkThreadsRun,
): Promise<string[]> {
  const idx: number[] = [];
  order.forEach((h, i) => missing.has(h) && idx.push(i));
  const position = new Map(order.map((h, i) => [h, i]));
  const since = (h: string) => {
    const i = position.get(h)!;
    return i > 0 ? order[i - 1] : undefined;
  };
  const slices: Array<Pick<SliceJob, 'ref' | 'hashes'>> = [];
  for (let w = 0; w < count; w++) {
    const a = Math.round((w * idx.length) / count);
    const b = Math.round(((w + 1) * idx.length) / count);
    if (b <= a) continue;
    slices.push({ ref: order[idx[b - 1]], hashes: idx.slice(a, b).map((i) => order[i]) });
  }
  const limitMs = base.chunk.fileTimeout * 2000 + 3000;
  const stuck: string[] = [];
  const live = new Set<Worker>();
  const stop = () => live.forEach((w) => void w.terminate());
  run.signal?.addEventListener('abort', stop, { once: true });

  /** One thread over `hashes`: 'done', or the file it got stuck in (the thread is gone then). */
  const attempt = (ref: string, hashes: string[], received: Set<string>): Promise<{ stuck?: string }> =>
    new Promise((resolve, reject) => {
      const data: SliceJob = { ccRole: CHUNK_ROLE, ...base, ref, sinceCommit: since(hashes[0]), hashes, stuck: [...stuck] };
      const w = startThread(script, data, run.heapMb ?? CHUNK_WORKER_HEAP_MB);
      live.add(w);
      let ended = false;
      let current: { key: string; since: number } | null = null;
      const watchdog = setInterval(() => {
        if (!current || performance.now() - current.since < limitMs) return;
        ended = true;
        const key = current.key;
        void w.terminate().then(() => resolve({ stuck: key }));
      }, 250);
      watchdog.unref();
      const finish = (f: () => void) => {
        ended = true;
        clearInterval(watchdog);
        live.delete(w);
        f();
      };
      w.on('message', (m: SliceMessage) => {
        if (ended) return;
        if (m.type === 'file') current = { key: m.key, since: performance.now() };
        else if (m.type === 'entry') {
          current = null;
          received.add(m.hash);
          run.onEntry(m.hash, m.json);
        } else if (m.type === 'end' || m.type === 'out-of-memory') {
          // out of memory (its heap cannot hold the tokenizer): the caller chunks the rest
          void w.terminate();
          finish(() => resolve({}));
        } else {
          // the thread's own message (e.g. an unusable tokenizer, which it is the first to load) and stack
          const e = new Error(m.error);
          if (m.stack) e.stack = m.stack;
          finish(() => reject(e));
        }
      });
      w.on('error', (e: Error & { code?: string }) => {
        if (ended) return;
        // out of heap: what the slice chunked was posted; the caller chunks the rest on its own thread
        if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') finish(() => resolve({}));
        else finish(() => reject(e));
      });
      w.on('exit', (code) => {
        clearInterval(watchdog);
        live.delete(w);
        if (!ended) finish(() => reject(run.signal?.aborted ? new Error('cancelled') : new Error(`chunk worker exited with code ${code}`)));
      });
    });

  try {
    await Promise.all(
      slices.map(async (s) => {
        const received = new Set<string>();
        let hashes = s.hashes;
        for (;;) {
          const r = await attempt(s.ref, hashes, received);
          if (!r.stuck) return;
          stuck.push(r.stuck);
          const [commit, path] = r.stuck.split('\0');
          run.log(`chunks: ${path} at ${commit.slice(0, 12)} was still being cut after ${limitMs / 1000} s (a step that cannot be interrupted): the chunk thread was restarted without it (timeout)`);
          hashes = hashes.filter((h) => !received.has(h));
          if (hashes.length === 0) return;
        }
      }),
    );
    return stuck;
  } finally {
    run.signal?.removeEventListener('abort', stop);
    stop();
  }
}
