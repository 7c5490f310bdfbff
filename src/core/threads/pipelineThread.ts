/**
 * The whole pipeline on a worker thread of its own: the CLI's and the benchmark's builds, and the editor's (on a
 * thread of its engine worker), so all shells cancel through this code. Same engine, same bytes; what the thread buys is a bounded V8 young
 * generation (THREAD_YOUNG_MB, as the token and chunk threads have): the pipeline thread allocates
 * short-lived objects at a high rate (entries parsed, redacted and re-serialized, token results, output
 * rows), and a main thread's young generation is fixed at startup (2 × 16 MiB semi-spaces).
 *
 * The thread is started from the same script as the token and chunk threads (they are its own children);
 * progress, log lines, the result and errors (AbortError and UsageError keep their class) come back as
 * messages.
 *
 * Cancel: aborting the signal sets a shared flag the thread reads at every progress event and log line (and
 * posts a message, for a thread waiting on its event loop); the thread cancels and removes its temp folder
 * itself. A thread that has not ended within `graceMs` (busy in a long synchronous step: parsing a huge
 * tokenizer, cutting a pathological file, writing rows) is terminated, and this side removes what it left
 * (recoverOutput: its temp folder; a previous output it had moved aside goes back). The same flag is the
 * commit gate: the thread takes it (running → committing) right before its output replaces the previous one,
 * and a cancel that finds it taken waits for the few milliseconds of the rename and reports the build as
 * finished. So a cancel either leaves the previous output exactly as it was, or comes too late to matter.
 */
import type { MessagePort } from 'node:worker_threads';
import { runPipeline, type BuildScope, type PipelineHooks, type PipelineResult } from '../pipeline';
import type { PipelineOptions } from '../pipeline/options';
import { AbortError } from '../errors';
import { recoverOutput } from '../dataset/output';
import type { Phase, ProgressEvent } from '../types';
import { startThread } from './start';
import { fromThreadError, isOutOfMemory, toThreadError, type ThreadError } from './envelope';

/** The hooks that cross the thread boundary (functions stay on this side). */
type ThreadHooks = Pick<PipelineHooks, 'tokenWorkers' | 'chunkThreads' | 'overlapChunks' | 'chunkWorkerHeapMb'>;

/** States of the shared flag. */
const RUNNING = 0;
const CANCELLED = 1;
const COMMITTING = 2;

interface Start {
  /** Int32 flag: RUNNING, CANCELLED (set by the main side), COMMITTING (taken by the thread before its output replaces the previous one). */
  abortFlag: SharedArrayBuffer;
  opts: PipelineOptions;
  scope: BuildScope;
  hooks: ThreadHooks;
  progress: boolean;
  log: boolean;
  delay?: TestDelay;
}

type FromThread = { type: 'progress'; event: ProgressEvent } | { type: 'log'; line: string } | { type: 'result'; result: PipelineResult } | { type: 'error'; error: ThreadError };

/** Testing aid: the pipeline thread sleeps `ms` (busy, as in a long synchronous step) at every progress event of `phase` (all phases when none). */
export interface TestDelay {
  ms: number;
  phase?: Phase;
}

/** Thread side: one build, then the port closes. */
export function pipelineThreadMain(port: MessagePort, start: Start): void {
  const ac = new AbortController();
  const flag = new Int32Array(start.abortFlag);
  // the pipeline checks its signal between steps; the flag is read at every progress event and log line
  const poll = () => {
    if (!ac.signal.aborted && Atomics.load(flag, 0) === CANCELLED) ac.abort();
  };
  const send = (m: FromThread) => port.postMessage(m);
  port.on('message', poll);
  runPipeline(
    start.opts,
    {
      ...start.hooks,
      signal: ac.signal,
      mayReplace: () => Atomics.compareExchange(flag, 0, RUNNING, COMMITTING) === RUNNING,
      onProgress: (event) => {
        poll();
        if (start.progress) send({ type: 'progress', event });
        // dropped from the shipped bundles (esbuild dropLabels)
        TEST_AIDS: if (start.delay && (!start.delay.phase || start.delay.phase === event.phase)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, start.delay.ms);
      },
      log: (line) => {
        poll();
        if (start.log) send({ type: 'log', line });
      },
    },
    start.scope,
  )
    .then(
      (result) => send({ type: 'result', result }),
      (e: unknown) => send({ type: 'error', error: toThreadError(e) }),
    )
    .finally(() => port.close());
}

/** How a cancel ends a pipeline thread. */
export interface ThreadStop {
  /** Time the thread has to stop by itself after the signal aborts before it is terminated (default 700 ms). */
  graceMs?: number;
  /** Aborted: terminate at once (a second Ctrl-C), unless the output is being put in place. */
  force?: AbortSignal;
  /** A testing aid of the shells' cancel tests (not in the shipped bundles): the thread sleeps at every progress event of a phase. */
  delay?: TestDelay;
}

/**
 * Main side: runPipeline(opts, hooks) on a pipeline thread started from `script` (a .js file that calls
 * runThreadIfAsked() when loaded, or a .ts source run through tsx; it also serves the build's token
 * and chunk threads unless hooks.tokenWorkers names another script).
 */
export function runPipelineInThread(script: string, opts: PipelineOptions, hooks: PipelineHooks = {}, stop: ThreadStop = {}, scope: BuildScope = {}): Promise<PipelineResult> {
  if (hooks.signal?.aborted || stop.force?.aborted) return Promise.reject(new AbortError());
  const abortFlag = new SharedArrayBuffer(4);
  const flag = new Int32Array(abortFlag);
  const data: Start = {
    abortFlag,
    opts,
    scope,
    hooks: { tokenWorkers: hooks.tokenWorkers, chunkThreads: hooks.chunkThreads, overlapChunks: hooks.overlapChunks, chunkWorkerHeapMb: hooks.chunkWorkerHeapMb },
    progress: !!hooks.onProgress,
    log: !!hooks.log,
    ...(stop.delay ? { delay: stop.delay } : {}),
  };
  const w = startThread(script, 'cc-pipeline', data);
  return new Promise<PipelineResult>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      hooks.signal?.removeEventListener('abort', cancel);
      stop.force?.removeEventListener('abort', terminate);
      f();
    };
    /** Ends the thread now (unless it is putting its output in place) and removes what it left. */
    function terminate(): void {
      if (settled) return;
      if (Atomics.compareExchange(flag, 0, RUNNING, CANCELLED) === COMMITTING) return; // the result comes in a moment
      settled = true;
      clearTimeout(timer);
      void w.terminate().then(() => {
        try {
          recoverOutput(opts.out, process.pid);
        } finally {
          reject(new AbortError());
        }
      });
    }
    function cancel(): void {
      if (Atomics.compareExchange(flag, 0, RUNNING, CANCELLED) === COMMITTING) return;
      w.postMessage({ type: 'abort' }); // wakes a thread that waits on its event loop
      timer ??= setTimeout(terminate, stop.graceMs ?? 700);
    }
    hooks.signal?.addEventListener('abort', cancel, { once: true });
    stop.force?.addEventListener('abort', terminate, { once: true });
    w.on('message', (m: FromThread) => {
      if (settled) return;
      if (m.type === 'progress') hooks.onProgress?.(m.event);
      else if (m.type === 'log') hooks.log?.(m.line);
      else if (m.type === 'result') settle(() => resolve(m.result));
      else settle(() => reject(fromThreadError(m.error)));
    });
    w.on('error', (e: Error & { code?: string }) => {
      const why = isOutOfMemory(e) ? 'ran out of memory' : `failed: ${e.message}`;
      settle(() => {
        recoverOutput(opts.out, process.pid);
        reject(new Error(`the pipeline thread ${why}`, { cause: e }));
      });
    });
    w.on('exit', (code) => settle(() => reject(new Error(`the pipeline thread exited with code ${code} before it finished`))));
  });
}
