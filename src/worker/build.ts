/** The "build" request: the whole pipeline (same engine as the CLI), with progress, log and cancel. */
import { runPipeline } from '../core/pipeline';
import type { ProgressEvent } from '../core/types';
import type { BuildRequest, BuildSummary } from './protocol';

/** Blocks this worker thread for `ms` (a testing aid: slows a build down so it can be cancelled). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export async function build(
  req: BuildRequest,
  hooks: { signal: AbortSignal; onProgress: (e: ProgressEvent) => void; log: (line: string) => void; tokenWorkers?: { script: string; count: number } },
): Promise<BuildSummary> {
  const delay = req.delayPerEventMs ?? 0;
  const r = await runPipeline(req.options, {
    signal: hooks.signal,
    log: hooks.log,
    tokenWorkers: hooks.tokenWorkers && hooks.tokenWorkers.count > 0 ? hooks.tokenWorkers : undefined,
    // as the CLI: one chunk thread (its script is the token workers'); its parsers' memory goes with it
    chunkThreads: 1,
    onProgress: (e) => {
      hooks.onProgress(e);
      if (delay > 0) sleepSync(delay);
    },
  });
  return {
    outDir: r.outDir,
    head: r.head,
    upToDate: r.upToDate,
    commits: r.commits,
    chunks: r.chunks,
    examples: { train: r.examples.train, val: r.examples.val, test: r.examples.test },
    tokens: r.tokens,
    durationMs: r.durationMs,
  };
}
