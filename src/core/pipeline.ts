/**
 * The whole pipeline, as its list of stages (each in ./pipeline/stages, behind the same shape: the run's context
 * in, typed data out, no knowledge of threads):
 *
 *   history → chunks (+ cross-file context) → prepare (redact, clean, exact dedup) → tokens → examples → write
 *
 * Chunks, prepare and tokens may run at once (chunk threads): the chunk stage hands each commit to the prepare
 * pass as it arrives, and a bounded queue carries the prepared commits to the token pass. Where the work runs is
 * the executor's business (../threads). Called by the CLI and the editor's pipeline thread; no vscode imports.
 *
 *   const result = await runPipeline({ repo: '.', out: './commit-corpus-out' }, { onProgress, signal, log });
 */
import { BoundedQueue } from './pipeline/queue';
import { pick, Run, type BuildScope, type PipelineHooks, type PipelineResult } from './pipeline/run';
import { settingsOf } from './pipeline/schema';
import { SpillStore } from './pipeline/spill';
import { readHistory, type ShardRange } from './pipeline/stages/history';
import { ChunkStage } from './pipeline/stages/chunk';
import { CommitPreparer, preparePass, type Prepared } from './pipeline/stages/prepare';
import { countUncached, localEncoder, tokenPass, WINDOW } from './pipeline/stages/tokens';
import { buildExamples } from './pipeline/stages/examples';
import { lastRun, openOutput, writeOutput } from './pipeline/stages/write';
import { Executor } from './threads/executor';
import { assignSplits } from './examples/splits';
import { checkFormat } from './tokenize/format';
import type { AtomicDir } from './dataset/output';
import type { PipelineOptions } from './pipeline/options';
import { AbortError } from './errors';

export type { PipelineOptions } from './pipeline/options';
export type { BuildScope, PipelineHooks, PipelineResult } from './pipeline/run';
export { TOOL_VERSION } from './pipeline/run';
export { AbortError, UsageError } from './errors';

export async function runPipeline(opts: PipelineOptions, hooks: PipelineHooks = {}, scope: BuildScope = {}): Promise<PipelineResult> {
  return (await runStages(opts, hooks, scope)) as PipelineResult;
}

export type { ShardRange } from './pipeline/stages/history';

/** What a shard's run made: its commits' chunk and token cache entries (in its cache folder), counted. */
export interface ShardOutcome {
  commits: number;
  /** Commits chunked and tokenized by this run (the rest were in the shard's cache already). */
  chunked: number;
  tokenized: number;
  chunks: number;
  tokens: number;
  durationMs: number;
}

/**
 * The stages up to tokens for one shard of a planned history: chunk and token entries into the run's cache (the
 * shard's folder), no dataset. A merge's build then finds them there (src/core/shard).
 */
export async function runShardStages(opts: PipelineOptions, hooks: PipelineHooks, scope: BuildScope, shard: ShardRange): Promise<ShardOutcome> {
  return (await runStages(opts, hooks, { ...scope, noOutput: true }, shard)) as ShardOutcome;
}

async function runStages(opts: PipelineOptions, hooks: PipelineHooks, scope: BuildScope, shard?: ShardRange): Promise<PipelineResult | ShardOutcome> {
  const run = await Run.open(opts, hooks, scope);
  const { settings } = run;
  const executor = new Executor(hooks, run.log);
  // stops the chunk stage when the run fails or is cancelled while it runs in the background
  const stopChunks = new AbortController();
  const onAbort = () => stopChunks.abort();
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  let chunks: ChunkStage | null = null;
  let out: AtomicDir | null = null;
  let spill: SpillStore | null = null;
  try {
    // ── No-op rebuild: same HEAD, same settings, output intact.
    const { last, upToDate } = shard ? { last: undefined, upToDate: null } : lastRun(run);
    if (upToDate) return upToDate;
    checkFormat(run.tokenizer(), settings.format); // before any work: a format the tokenizer cannot write is a usage error

    // ── History, then chunks for the commits the cache lacks: on chunk threads in the background (the prepare
    //    pass follows right behind, taking each commit as it arrives), else on this thread, before going on.
    const history = await readHistory(run, shard);
    const { order } = history;
    const offload = executor.chunkOffload({ repoDir: run.repoDir, allowMissingObjects: settings.allowMissingObjects, tokenizer: opts.tokenizer, history: history.slice }, order, history.before);
    chunks = new ChunkStage(run, history, offload, stopChunks.signal);
    const threaded = !!offload && history.missing.length > 0;
    if (!threaded) await chunks.done;
    run.checkAbort();
    void chunks.done.then(
      () => executor.chunksEnded(),
      () => undefined,
    );

    // ── Prepare then tokens, in commit order, through a bounded queue (unbounded while chunking runs: the
    //    prepare pass spills its jobs then). Tokens start once chunking ends, or at once with overlapChunks.
    const endTokens = run.begin('tokens', order.length, !chunks.running);
    // a shard writes no dataset: its token pass fills the cache
    const output = shard ? { out: null, writeRow: () => {}, closeRows: () => {} } : openOutput(run);
    out = output.out;
    spill = new SpillStore();
    const preparer = new CommitPreparer(
      settings,
      assignSplits(
        order.map((h) => ({ hash: h, time: history.timeOf.get(h) ?? 0 })),
        settings.splits,
      ),
    );
    const stage = chunks;
    const queue = new BoundedQueue<Prepared>(() => (stage.running ? Infinity : 2 * WINDOW));
    const preparing = preparePass(run, order, chunks, preparer, queue, spill);
    preparing.catch(() => undefined); // its error reaches the token pass through the queue
    if (!executor.overlap) await Promise.race([chunks.done, preparing.then(() => stage.done)]);
    run.checkAbort();
    const local = localEncoder(run);
    const pooled = executor.wantsTokenWorkers(countUncached(run, order));
    // the workers encode: the chunker's counts remembered here would not be looked up again
    if (pooled) run.releaseMemo();
    // the workers get the settings a commit's token ids depend on (the token cache's key)
    const encode = pooled ? executor.tokenEncoder(opts.tokenizer, pick(settings, settingsOf('tokens')), local) : local;
    const tokens = await tokenPass(run, { commits: order.length, queue, encode, spill, writeRow: output.writeRow, chunking: () => stage.running });
    await chunks.done;
    // the workers' memory (a tokenizer each) is released before the examples and write phases
    await executor.close();
    run.releaseMemo();
    output.closeRows();
    endTokens({ commits: order.length, tokenized: tokens.tokenized, cached: order.length - tokens.tokenized, tokens: tokens.tokens, chunks: preparer.tally.chunks });
    run.checkAbort();
    if (shard) {
      const { tally } = preparer;
      return { commits: order.length, chunked: chunks.processed, tokenized: tokens.tokenized, chunks: tally.chunks, tokens: tokens.tokens, durationMs: Math.round(performance.now() - run.t0) };
    }

    // ── Examples (near dedup, windows, splits, stats), then the files.
    const examples = buildExamples(run, order.length, { merges: history.skipped.merges, bots: history.skipped.bots, message: history.skipped.message }, tokens, preparer, spill);
    return await writeOutput(run, { out: out!, history, preparer, tokens, examples, last, processed: chunks.processed });
  } catch (e) {
    out?.abort();
    // once cancelled, whatever a stage threw on its way out (a reader's "cancelled") is the cancellation
    throw hooks.signal?.aborted ? new AbortError() : run.scrubError(e);
  } finally {
    stopChunks.abort();
    await chunks?.done.catch(() => undefined);
    hooks.signal?.removeEventListener('abort', onAbort);
    await executor.close();
    spill?.dispose();
    chunks?.dispose();
    run.repo.close();
  }
}
