/**
 * Token workers: tokenization of redacted commits on worker threads (the pipeline's costliest pure step).
 *
 * The worker side runs when a script is started with workerData.ccRole === 'cc-tokenize'
 * (`runTokenWorkerIfAsked()` is called by the CLI entry, so the bundled dist/cli.js can be its own worker).
 * The main side, TokenPool, hands out jobs and returns their results as promises; result order is the
 * caller's business. Results are bit-identical to main-thread tokenization (same pure function).
 */
import * as path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { ChunkRecord, CommitInfo } from '../types';
import { loadTokenizer } from './stages';
import { memoTokenizer, WORKER_MEMO_CHARS } from './memoTokenizer';
import { runChunkWorkerIfAsked } from './chunkWorker';
import { tokenizeCommit, type TokenizeSettings } from './tokenizeCommit';
import type { TokenGroup } from './tokcache';

const ROLE = 'cc-tokenize';

interface Job {
  id: number;
  /** JSON of { commit: CommitInfo, chunks: ChunkRecord[] } (one string crosses threads faster than the objects). */
  json: string;
}

interface Reply {
  id: number;
  groups?: TokenGroup[];
  chunkIds?: Int32Array[];
  error?: string;
}

/** Worker side: serve jobs forever. Returns false when this thread is not a token worker. */
export function runTokenWorkerIfAsked(): boolean {
  if (runChunkWorkerIfAsked()) return true; // the same scripts serve the chunk stage's threads
  if (isMainThread || !workerData || workerData.ccRole !== ROLE || !parentPort) return false;
  const port = parentPort;
  const base = loadTokenizer(workerData.tokenizer as string | undefined);
  base.withMarkers();
  const tok = memoTokenizer(base, WORKER_MEMO_CHARS);
  const settings = workerData.settings as TokenizeSettings;
  port.on('message', (job: Job) => {
    try {
      const { commit, chunks } = JSON.parse(job.json) as { commit: CommitInfo; chunks: ChunkRecord[] };
      const r = tokenizeCommit(tok, commit, chunks, settings);
      const transfer = [...r.groups.flatMap((g) => [g.contextIds.buffer, g.targetIds.buffer, ...(g.sig ? [g.sig.buffer] : [])]), ...r.chunkIds.map((c) => c.buffer)] as ArrayBuffer[];
      port.postMessage({ id: job.id, groups: r.groups, chunkIds: r.chunkIds } satisfies Reply, [...new Set(transfer)]);
    } catch (e) {
      port.postMessage({ id: job.id, error: (e as Error)?.stack ?? String(e) } satisfies Reply);
    }
  });
  return true;
}

export class TokenPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly waiting = new Map<number, { resolve: (r: { groups: TokenGroup[]; chunkIds: Int32Array[] }) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failed: Error | null = null;

  /** `script`: a .js file that calls runTokenWorkerIfAsked() at load, or a .ts source (run through tsx). */
  constructor(script: string, count: number, tokenizer: string | undefined, settings: TokenizeSettings) {
    for (let i = 0; i < count; i++) {
      const data = { ccRole: ROLE, tokenizer, settings };
      // (the module name is built at run time so bundlers leave this source-run-only path alone)
      const tsxApi = ['tsx', 'cjs', 'api'].join('/');
      const w = script.endsWith('.ts')
        ? new Worker(`require(${JSON.stringify(require.resolve(tsxApi))}).register(); require(${JSON.stringify(path.resolve(script))});`, { eval: true, workerData: data })
        : new Worker(path.resolve(script), { workerData: data });
      w.on('message', (r: Reply) => this.onReply(w, r));
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0 && !this.failed) this.fail(new Error(`token worker exited with code ${code}`));
      });
      this.workers.push(w);
      this.idle.push(w);
    }
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
    while (this.idle.length && this.queue.length) this.idle.pop()!.postMessage(this.queue.shift()!);
  }

  private onReply(w: Worker, r: Reply): void {
    const waiter = this.waiting.get(r.id);
    this.waiting.delete(r.id);
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
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
