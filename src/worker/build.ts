/**
 * The "build" request: the whole pipeline on a pipeline thread of this worker, through the same code as the CLI
 * (runPipelineInThread: progress, log, the commit gate, cancel with a grace period, then terminate and repair).
 */
import { runPipelineInThread } from '../core/threads';
import type { ProgressEvent } from '../core/types';
import type { BuildRequest, BuildSummary } from './protocol';

export async function build(
  req: BuildRequest,
  hooks: { script: string; signal: AbortSignal; onProgress: (e: ProgressEvent) => void; log: (line: string) => void; tokenWorkers?: { script: string; count: number } },
): Promise<BuildSummary> {
  const r = await runPipelineInThread(
    hooks.script,
    req.options,
    {
      signal: hooks.signal,
      log: hooks.log,
      onProgress: hooks.onProgress,
      tokenWorkers: hooks.tokenWorkers && hooks.tokenWorkers.count > 0 ? hooks.tokenWorkers : undefined,
      // as the CLI: one chunk thread (its script is the token workers'); its parsers' memory goes with it
      chunkThreads: 1,
    },
    { delay: req.delay },
  );
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
