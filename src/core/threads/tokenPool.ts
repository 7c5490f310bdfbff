/**
 * Token threads: tokenization of redacted commits on worker threads (the pipeline's costliest pure step).
 *
 * The thread side (tokenThreadMain) serves jobs; it runs when a script's runThreadIfAsked() finds the role
 * 'cc-tokenize' (so the bundled dist/cli.js and dist/worker.js are their own token threads). The main side,
 * TokenPool, hands out jobs and returns their results as promises; result order is the caller's business.
 * Results are bit-identical to main-thread tokenization (same pure function).
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import { heapHoldsTokenizer, startThread } from './start';
import { isOutOfMemory } from './envelope';
import type { ChunkRecord, CommitInfo } from '../types';
import { loadTokenizer } from '../tokenize/index';
import { memoTokenizer, WORKER_MEMO_CHARS } from '../pipeline/memoTokenizer';
import { tokenizeCommit, type TokenizeSettings } from '../pipeline/tokenizeCommit';
import type { TokenGroup } from '../pipeline/tokcache';

interface TokenStart {
  tokenizer?: string;
  settings: TokenizeSettings;
}

interface Job {
  id: number;
  /** JSON of { commit: CommitInfo, chunks: ChunkRecord[] } (one string crosses threads faster than the objects). */
  json: string;
}

/** Sent once the thread has loaded its tokenizer, or instead of that when its heap cannot hold the tokenizer. */
type Startup = { ready: true } | { startupOutOfMemory: true };

interface Reply {
  id: number;
  groups?: TokenGroup[];
  chunkIds?: Int32Array[];
  error?: string;
}

/** Thread side: serve jobs until terminated. */
export function tokenThreadMain(port: MessagePort, start: TokenStart): void {
  if (!heapHoldsTokenizer(start.tokenizer)) {
    port.postMessage({ startupOutOfMemory: true } satisfies Startup);
    return;
  }
  const base = loadTokenizer(start.tokenizer);
  base.withMarkers();
  const tok = memoTokenizer(base, WORKER_MEMO_CHARS);
  port.postMessage({ ready: true } satisfies Startup);
  port.on('message', (job: Job) => {
    try {
      const { commit, chunks } = JSON.parse(job.json) as { commit: CommitInfo; chunks: ChunkRecord[] };
      const r = tokenizeCommit(tok, commit, chunks, start.settings);
      const transfer = [...r.groups.flatMap((g) => [g.contextIds.buffer, g.targetIds.buffer, ...(g.sig ? [g.sig.buffer] : [])]), ...r.chunkIds.map((c) => c.buffer)] as ArrayBuffer[];
      port.postMessage({ id: job.id, groups: r.groups, chunkIds: r.chunkIds } satisfies Reply, [...new Set(transfer)]);
    } catch (e) {
      port.postMessage({ id: job.id, error: (e as Error)?.stack ?? String(e) } satisfies Reply);
    }
  });
}

/**
 * Heap of each token worker: without a cap V8 lets a worker's heap grow to ~3× its live data (tokenizer
 * and its memo, one commit's job) under this allocation rate (README, Benchmarks: the tuned limits). A job that needs more than the cap
 * is not lost: the worker is replaced and the job is rejected with TokenWorkerOutOfMemory, which the
 * pipeline answers by tokenizing that commit on the main thread.
 */
const TOKEN_WORKER_HEAP_MB = 192;

export class TokenWorkerOutOfMemory extends Error {
  override name = 'TokenWorkerOutOfMemory';
}

export class TokenPool {
  private readonly workers = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<Worker, number>();
  private readonly ready = new WeakSet<Worker>();
  private readonly waiting = new Map<number, { resolve: (r: { groups: TokenGroup[]; chunkIds: Int32Array[] }) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failed: Error | null = null;
  private closing = false;

  /** `script`: a .js file that calls runThreadIfAsked() at load, or a .ts source (run through tsx). */
  constructor(
    private readonly script: string,
    count: number,
    private readonly tokenizer: string | undefined,
    private readonly settings: TokenizeSettings,
    private readonly heapMb = TOKEN_WORKER_HEAP_MB,
  ) {
    for (let i = 0; i < count; i++) this.spawn();
  }

  private spawn(): void {
    const w = startThread<TokenStart>(this.script, 'cc-tokenize', { tokenizer: this.tokenizer, settings: this.settings }, this.heapMb);
    w.on('message', (r: Reply | Startup) => {
      if ('ready' in r) this.ready.add(w);
      else if ('startupOutOfMemory' in r) {
        this.outOfMemory(w);
        void w.terminate();
      } else this.onReply(w, r);
    });
    w.on('error', (e: Error & { code?: string }) => {
      if (isOutOfMemory(e)) this.outOfMemory(w);
      else this.fail(e);
    });
    w.on('exit', (code) => {
      if (code !== 0 && this.workers.has(w) && !this.failed && !this.closing) this.fail(new Error(`token worker exited with code ${code}`));
    });
    this.workers.add(w);
    this.idle.push(w);
  }

  /** Adds workers up to `count` (a pool started small while other threads had the cores). */
  grow(count: number): void {
    if (this.closing || this.failed) return;
    while (this.workers.size < count) this.spawn();
    this.pump();
  }

  /** The worker ran out of heap: its job is rejected (the caller tokenizes it elsewhere), a new worker takes its place. */
  private outOfMemory(w: Worker): void {
    this.workers.delete(w);
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
    const id = this.running.get(w);
    this.running.delete(w);
    if (this.closing || this.failed) return;
    // out of memory before the tokenizer was even loaded: a new worker would do the same
    if (!this.ready.has(w)) return this.fail(new Error(`a token worker ran out of its ${this.heapMb} MiB heap while starting (tokenizer too large?)`));
    this.spawn();
    if (id === undefined) return;
    const waiter = this.waiting.get(id);
    this.waiting.delete(id);
    waiter?.reject(new TokenWorkerOutOfMemory(`a token worker ran out of its ${this.heapMb} MiB heap`));
    this.pump();
  }

  /** `json`: JSON.stringify({ commit, chunks }) of a redacted commit. */
  run(json: string): Promise<{ groups: TokenGroup[]; chunkIds: Int32Array[] }> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const p = new Promise<{ groups: TokenGroup[]; chunkIds: Int32Array[] }>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.queue.push({ id, json });
    this.pump();
    return p;
  }

  private pump(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.running.set(w, job.id);
      w.postMessage(job);
    }
  }

  private onReply(w: Worker, r: Reply): void {
    const waiter = this.waiting.get(r.id);
    this.waiting.delete(r.id);
    this.running.delete(w);
    this.idle.push(w);
    this.pump();
    if (!waiter) return;
    if (r.error) waiter.reject(new Error(`token worker: ${r.error}`));
    else waiter.resolve({ groups: r.groups!, chunkIds: r.chunkIds! });
  }

  private fail(e: Error): void {
    this.failed = e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.workers].map((w) => w.terminate()));
  }
}
