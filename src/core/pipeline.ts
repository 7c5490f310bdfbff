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
import { pick, repoNames, Run, type BuildScope, type PipelineHooks, type PipelineResult } from './pipeline/run';
import { settingsOf } from './pipeline/schema';
import { SpillStore } from './pipeline/spill';
import { readHistory, type History, type ShardRange } from './pipeline/stages/history';
import { ChunkStage } from './pipeline/stages/chunk';
import { CommitPreparer, preparePass, type Prepared } from './pipeline/stages/prepare';
import { countUncached, localEncoder, tokenPass, WINDOW, emptyTokenOutput } from './pipeline/stages/tokens';
import { buildExamples } from './pipeline/stages/examples';
import { lastRun, openOutput, writeOutput, type Source } from './pipeline/stages/write';
import { Executor } from './threads/executor';
import { assignSplits } from './examples/splits';
import { checkFormat } from './tokenize/format';
import type { AtomicDir } from './dataset/output';
import { reposOf, type PipelineOptions } from './pipeline/options';
import type { SplitName } from './examples/dedup';
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
  const runs = await openRuns(opts, hooks, scope);
  if (shard && runs.length > 1) throw new Error('a shard is a commit range of one repository');
  const lead = runs[0];
  const { settings } = lead;
  const executor = new Executor(hooks, lead.log);
  // stops the chunk stage when the run fails or is cancelled while it runs in the background
  const stopChunks = new AbortController();
  const onAbort = () => stopChunks.abort();
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  let chunks: ChunkStage | null = null;
  let out: AtomicDir | null = null;
  let spill: SpillStore | null = null;
  try {
    // ── No-op rebuild: same HEADs, same settings, output intact.
    const { last, upToDate } = shard ? { last: undefined, upToDate: null } : lastRun(runs);
    if (upToDate) return upToDate;
    checkFormat(lead.tokenizer(), settings.format); // before any work: a format the tokenizer cannot write is a usage error
    // a shard writes no dataset: its token pass fills the cache
    const output = shard ? { out: null, writeRow: () => {}, closeRows: () => {} } : openOutput(lead, runs);
    out = output.out;
    spill = new SpillStore();
    // splits are temporal within each repository, then united: each repository's commits join the map before they are prepared
    const splitOf = new Map<string, SplitName>();
    // one preparer for all: exact dedup runs across the repositories, in the order they are built
    const preparer = new CommitPreparer(settings, splitOf);
    const tokens = emptyTokenOutput();
    const sources: Source[] = [];
    const seen = new Set<string>();
    for (const run of runs) {
      // ── History, then chunks for the commits the cache lacks: on chunk threads in the background (the prepare
      //    pass follows right behind, taking each commit as it arrives), else on this thread, before going on.
      const history = await readHistory(run, shard);
      // a commit an earlier repository has (a fork's shared history) is built once, as that repository's
      const shared = leaveOut(history, seen);
      const { order } = history;
      for (const [h, split] of assignSplits(
        order.map((h) => ({ hash: h, time: history.timeOf.get(h) ?? 0 })),
        settings.splits,
      ))
        splitOf.set(h, split);
      preparer.repo = run.name;
      const offload = executor.chunkOffload({ repoDir: run.repoDir, allowMissingObjects: settings.allowMissingObjects, tokenizer: opts.tokenizer, history: history.slice }, order, history.before);
      chunks?.dispose();
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
      const chunksBefore = preparer.tally.chunks;
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
      const t = await tokenPass(run, { commits: order.length, queue, encode, spill, writeRow: output.writeRow, chunking: () => stage.running }, tokens);
      await chunks.done;
      endTokens({ commits: order.length, tokenized: t.tokenized, cached: order.length - t.tokenized, tokens: t.tokens, chunks: preparer.tally.chunks - chunksBefore });
      run.checkAbort();
      sources.push({ run, history, processed: chunks.processed, shared });
    }
    // the workers' memory (a tokenizer each) is released before the examples and write phases
    await executor.close();
    lead.releaseMemo();
    output.closeRows();
    const commits = sources.reduce((a, s) => a + s.history.order.length, 0);
    const processed = sources.reduce((a, s) => a + s.processed, 0);
    if (shard) {
      const { tally } = preparer;
      return { commits, chunked: processed, tokenized: tokens.tokenized, chunks: tally.chunks, tokens: tokens.tokens, durationMs: Math.round(performance.now() - lead.t0) };
    }

    // ── Examples (near dedup, windows, splits, stats), then the files.
    const skipped: Record<string, number> = { merges: 0, bots: 0, message: 0 };
    for (const s of sources) for (const k of ['merges', 'bots', 'message'] as const) skipped[k] += s.history.skipped[k] ?? 0;
    if (runs.length > 1) skipped.earlier_repository = sources.reduce((a, s) => a + s.shared, 0);
    const examples = buildExamples(
      lead,
      commits,
      skipped,
      tokens,
      preparer,
      spill,
      sources.map((s) => ({ name: s.run.name, shared: s.shared })),
    );
    return await writeOutput(lead, { out: out!, sources, preparer, tokens, examples, last, processed });
  } catch (e) {
    out?.abort();
    // once cancelled, whatever a stage threw on its way out (a reader's "cancelled") is the cancellation
    throw hooks.signal?.aborted ? new AbortError() : lead.scrubError(e);
  } finally {
    stopChunks.abort();
    await chunks?.done.catch(() => undefined);
    hooks.signal?.removeEventListener('abort', onAbort);
    await executor.close();
    spill?.dispose();
    chunks?.dispose();
    for (const r of runs) r.repo.close();
  }
}

/**
 * One run per repository of the build, opened (and checked) in the given order before any work; with several,
 * the first one's run leads (the output, the phases, the tokenizer) and each knows its name in the rows.
 */
async function openRuns(opts: PipelineOptions, hooks: PipelineHooks, scope: BuildScope): Promise<Run[]> {
  const dirs = reposOf(opts);
  if (dirs.length === 1) return [await Run.open({ ...opts, repo: dirs[0], repos: undefined }, hooks, scope)];
  if (scope.heads && scope.heads.length !== dirs.length) throw new Error(`the plan pins ${scope.heads.length} heads for ${dirs.length} repositories`);
  const names = repoNames(dirs);
  const runs: Run[] = [];
  try {
    for (const [i, dir] of dirs.entries()) runs.push(await Run.open({ ...opts, repo: dir, repos: undefined }, hooks, scope, { name: names[i], lead: runs[0], head: scope.heads?.[i] }));
    return runs;
  } catch (e) {
    for (const r of runs) r.repo.close();
    throw e;
  }
}

/** Leaves out of `history` the commits an earlier repository of the build listed; adds its own to `seen`. Returns how many were left out. */
function leaveOut(history: History, seen: Set<string>): number {
  const n = history.order.length;
  history.order = history.order.filter((h) => !seen.has(h));
  history.missing = history.missing.filter((h) => !seen.has(h));
  for (const h of history.order) seen.add(h);
  return n - history.order.length;
}
