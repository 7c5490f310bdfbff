/**
 * Chunk threads: the chunk stage over worker threads, one contiguous slice of the commit list each
 * (`sinceCommit..ref` walked by its own repository reader and chunker), each chunked commit sent as JSON to
 * the pipeline thread, which takes them in commit order, scrubs them and writes them to the cache, so the output
 * is the same as a one-thread build (chunkOne is a function of the commit and the repository only). A commit a
 * slice's walk did not reach stays missing and is chunked by the caller afterwards.
 *
 * Thread side: chunkThreadMain, run by runThreadIfAsked() for the role 'cc-chunk'.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import { heapHoldsTokenizer, startThread } from './start';
import { isOutOfMemory, toThreadError, fromThreadError, type ThreadError } from './envelope';
import type { CommitRecord } from '../types';
import { countMemo, WORKER_MEMO_CHARS } from '../pipeline/memoTokenizer';
import { createChunker } from '../chunk/index';
import { openRepository } from '../git/index';
import { loadTokenizer } from '../tokenize/index';
import { chunkerOptions, chunkOne, historyOptions, type ChunkSettings, type SliceHistory } from '../pipeline/stages/chunk';

interface SliceJob {
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
   * instead of 8M, history caches of 56 instead of 112 MiB, parse trees of 2M instead of 4M characters (README, Benchmarks: the tuned limits).
   */
  lean?: boolean;
}

/**
 * Texts whose parse trees a lean chunk thread keeps for incremental parsing (the chunker's default is 4M).
 * The trees live in tree-sitter's wasm memory, which never shrinks (README, Benchmarks: the tuned limits).
 */
const LEAN_TREE_CACHE_CHARS = 2_000_000;

/** History cache budget of a lean chunk thread (blob ring, delta bases, raw trees). */
const LEAN_HISTORY_CACHE = { blobBytes: 32 << 20, deltaBaseBytes: 16 << 20, treeBytes: 8 << 20 };

type SliceMessage = { type: 'entry'; hash: string; json: string } | { type: 'file'; key: string } | { type: 'out-of-memory' } | { type: 'end' } | { type: 'error'; error: ThreadError };

/**
 * Heap cap of a chunk worker: its live data is the tokenizer, parsed-file analyses, the memo and history caches,
 * but uncapped V8 lets the heap grow to a multiple of it (README, Benchmarks: the tuned limits). A slice that runs out of it is
 * not an error: the commits it did not reach are chunked by the caller.
 */
export const CHUNK_WORKER_HEAP_MB = 384;

/** Thread side: chunks the slice's commits, posting each, then 'end'. */
export function chunkThreadMain(port: MessagePort, job: SliceJob): void {
  const send = (m: SliceMessage) => port.postMessage(m);
  if (!heapHoldsTokenizer(job.tokenizer)) {
    send({ type: 'out-of-memory' });
    return;
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
  })().catch((e: unknown) => send({ type: 'error', error: toThreadError(e) }));
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
  base: Omit<SliceJob, 'ref' | 'sinceCommit' | 'hashes' | 'stuck'>,
  order: string[],
  missing: Set<string>,
  run: ChunkThreadsRun,
  /** The commit before `order[0]` when `order` is a shard's part of the history. */
  before?: string,
): Promise<string[]> {
  const idx: number[] = [];
  order.forEach((h, i) => missing.has(h) && idx.push(i));
  const position = new Map(order.map((h, i) => [h, i]));
  const since = (h: string) => {
    const i = position.get(h)!;
    return i > 0 ? order[i - 1] : before;
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
      const data: SliceJob = { ...base, ref, sinceCommit: since(hashes[0]), hashes, stuck: [...stuck] };
      const w = startThread(script, 'cc-chunk', data, run.heapMb ?? CHUNK_WORKER_HEAP_MB);
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
          finish(() => reject(fromThreadError(m.error)));
        }
      });
      w.on('error', (e: Error & { code?: string }) => {
        if (ended) return;
        // out of heap: what the slice chunked was posted; the caller chunks the rest on its own thread
        if (isOutOfMemory(e)) finish(() => resolve({}));
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
