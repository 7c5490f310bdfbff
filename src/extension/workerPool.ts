/**
 * A pool of engine worker threads (dist/worker.js), at most `size()` of them, created on demand.
 * Requests are typed by src/worker/protocol.ts. Cancelling a build posts `cancel`: the worker runs the build on a
 * pipeline thread and cancels it the way the CLI does (runPipelineInThread: a grace period, then terminate and
 * repair), so it answers within about a second; a worker that has not answered within `cancelGraceMs` (busy in
 * another request's synchronous work) is terminated as a backstop (and recreated for the next request). Other
 * cancelled calls are rejected at once and their late answers dropped.
 * A worker that crashes rejects its pending requests with WorkerCrashedError and is replaced.
 */
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { THREAD_YOUNG_MB } from '../core/threads/limits';
import type { ProgressEvent } from '../core/types';
import type { HostToWorker, Request, RequestKind, ResultOf, WorkerToHost } from '../worker/protocol';
import { Disposable } from './disposable';
import { CancelledError, EngineError, WorkerCrashedError } from './errors';

export interface RequestOptions {
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
  onLog?: (line: string) => void;
}

interface Pending {
  kind: RequestKind;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  opts: RequestOptions;
}

class Slot {
  readonly pending = new Map<number, Pending>();
  dead = false;

  constructor(
    readonly worker: Worker,
    readonly index: number,
  ) {}

  get builds(): number {
    let n = 0;
    for (const p of this.pending.values()) if (p.kind === 'build') n++;
    return n;
  }
}

export class WorkerPool extends Disposable {
  private slots: Slot[] = [];
  private nextId = 1;
  private started = 0;
  /** Workers started so far (a restart after a crash counts), for tests and the log. */
  get workersStarted(): number {
    return this.started;
  }

  constructor(
    private readonly script: string,
    private readonly size: () => number,
    private readonly log: (line: string) => void,
    private readonly cancelGraceMs = 3000,
  ) {
    super();
    this._register(new vscode.Disposable(() => this.terminateAll()));
  }

  request<K extends RequestKind>(request: Extract<Request, { kind: K }>, opts: RequestOptions = {}): Promise<ResultOf[K]> {
    if (this.isDisposed) return Promise.reject(new Error('the extension is shutting down'));
    if (opts.signal?.aborted) return Promise.reject(new CancelledError());
    const slot = this.pick(request.kind);
    const id = this.nextId++;
    return new Promise<ResultOf[K]>((resolve, reject) => {
      slot.pending.set(id, { kind: request.kind, resolve: resolve as (v: unknown) => void, reject, opts });
      this.post(slot, { type: 'request', id, request });
      opts.signal?.addEventListener('abort', () => this.cancel(slot, id), { once: true });
    });
  }

  /** Number of live worker threads. */
  get liveWorkers(): number {
    return this.slots.filter((s) => !s.dead).length;
  }

  private pick(kind: RequestKind): Slot {
    const max = Math.max(1, Math.min(16, Math.floor(this.size()) || 1));
    const live = this.slots.filter((s) => !s.dead);
    // Interactive requests avoid workers busy with a build; builds take the least loaded worker.
    const load = (s: Slot) => (kind !== 'build' ? s.builds * 1000 : 0) + s.pending.size;
    const idle = live.find((s) => load(s) === 0);
    if (idle) return idle;
    if (live.length < max) return this.spawn();
    return live.reduce((a, b) => (load(b) < load(a) ? b : a));
  }

  private spawn(): Slot {
    // a build runs its pipeline on this thread: the same bounded young generation as the CLI's pipeline thread
    const worker = new Worker(this.script, { name: `commit-corpus-${this.started + 1}`, resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_MB } });
    const slot = new Slot(worker, ++this.started);
    this.slots.push(slot);
    this.log(`worker ${slot.index} started`);
    worker.on('message', (m: WorkerToHost) => this.onMessage(slot, m));
    worker.on('error', (err) => this.onDeath(slot, new WorkerCrashedError(err.message)));
    worker.on('exit', (code) => this.onDeath(slot, new WorkerCrashedError(`worker exited with code ${code}`)));
    // The pool never keeps the extension host alive by itself.
    worker.unref();
    return slot;
  }

  private post(slot: Slot, msg: HostToWorker): void {
    slot.worker.postMessage(msg);
  }

  private onMessage(slot: Slot, m: WorkerToHost): void {
    const p = slot.pending.get(m.id);
    if (!p) return;
    switch (m.type) {
      case 'progress':
        p.opts.onProgress?.(m.event);
        return;
      case 'log':
        (p.opts.onLog ?? this.log)(m.line);
        return;
      case 'result':
        slot.pending.delete(m.id);
        p.resolve(m.result);
        return;
      case 'error':
        slot.pending.delete(m.id);
        p.reject(m.error.name === 'AbortError' ? new CancelledError() : new EngineError(m.error));
        return;
    }
  }

  private cancel(slot: Slot, id: number): void {
    const pending = slot.pending.get(id);
    if (!pending || slot.dead) return;
    this.post(slot, { type: 'cancel', id });
    if (pending.kind !== 'build') {
      // Short calls are not worth a thread: answer "cancelled" now and drop their result when it comes.
      slot.pending.delete(id);
      pending.reject(new CancelledError());
      return;
    }
    setTimeout(() => {
      const p = slot.pending.get(id);
      if (!p || slot.dead) return;
      // It did not stop by itself (busy in synchronous work): stop the thread.
      this.log(`worker ${slot.index} did not stop within ${this.cancelGraceMs} ms: terminating it`);
      this.kill(slot, new CancelledError());
    }, this.cancelGraceMs).unref();
  }

  /** Stops a worker; its pending requests are rejected once the thread is gone (nothing of it writes any more). */
  private kill(slot: Slot, reason: Error): void {
    if (slot.dead) return;
    slot.dead = true;
    this.slots = this.slots.filter((s) => s !== slot);
    const pending = [...slot.pending.values()];
    slot.pending.clear();
    const rejectAll = () => pending.forEach((p) => p.reject(reason));
    slot.worker.terminate().then(rejectAll, rejectAll);
  }

  private onDeath(slot: Slot, err: WorkerCrashedError): void {
    if (slot.dead) return;
    this.log(`worker ${slot.index} died: ${err.message}`);
    this.kill(slot, err);
  }

  private terminateAll(): void {
    for (const s of [...this.slots]) this.kill(s, new Error('the extension is shutting down'));
  }
}
