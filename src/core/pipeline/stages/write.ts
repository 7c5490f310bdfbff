/**
 * Stage 6, write: the dataset's files into a temporary folder beside the output (chunk rows were streamed there
 * by the token stage), then that folder replaces the previous output in one step, and the run is remembered for
 * a no-op rebuild.
 *
 *   Examples + rows + tokenizer → files, manifest, dataset card → PipelineResult
 */
import * as path from 'node:path';
import type { BuiltDataset } from '../../dataset/model';
import { AtomicDir, datasetIntact, sha256, stableJson, within } from '../../dataset/output';
import { TOOL_VERSION, type PipelineResult, type Run, type Tokenizer } from '../run';
import type { History } from './history';
import type { Examples } from './examples';
import type { CommitPreparer } from './prepare';
import type { TokenOutput } from './tokens';
import { writeDataset } from '../../dataset/write';

interface LastRun {
  runKey: string;
  head: string;
  out: string;
  manifestSha256: string;
  result: PipelineResult;
}

/** One repository of the build, once its commits went through the token pass. */
export interface Source {
  run: Run;
  history: History;
  /** Commits chunked by this run. */
  processed: number;
  /** Commits left to an earlier repository of the build (shared history). */
  shared: number;
}

/** What the previous run must have had: the runs' keys (settings, output, engine) and heads. Kept in the first repository's cache. */
function runIdentity(runs: Run[]): { runKey: string; head: string } {
  return { runKey: sha256(stableJson(runs.map((r) => [r.repoDir, r.runKey]))), head: runs.map((r) => r.head).join(',') };
}

/** One record per output folder: builds into other folders (sharing a cache) do not undo each other's no-op check. */
function lastRunKey(run: Run): string {
  return `last-run-${sha256(run.outDir).slice(0, 16)}`;
}

/** The previous run's result when it had the same settings, HEADs and output, and every file is as its manifest lists it. */
export function lastRun(runs: Run[]): { last: LastRun | undefined; upToDate: PipelineResult | null } {
  const run = runs[0];
  const { runKey, head } = runIdentity(runs);
  const last = run.cache.get<LastRun>('', lastRunKey(run));
  // a deleted or changed file means a rebuild
  if (last && last.runKey === runKey && last.head === head && last.out === run.outDir && datasetIntact(run.outDir, last.manifestSha256)) {
    run.log(`up to date: ${run.outDir} (HEAD ${run.head.slice(0, 12)}${runs.length > 1 ? ` and ${runs.length - 1} more repositories` : ''})`);
    return { last, upToDate: { ...last.result, upToDate: true, durationMs: Math.round(performance.now() - run.t0) } };
  }
  return { last, upToDate: null };
}

/** The output folder being written, and its chunk-row streams (chunks.jsonl, plus chunks_enhanced.jsonl in the seed layout). */
export function openOutput(lead: Run, runs: Run[]): { out: AtomicDir; writeRow: (line: string) => void; closeRows: () => void } {
  // replacing the output never deletes any of the repositories, their git folders or caches; inside one of them, it is git-ignored
  const out = new AtomicDir(
    lead.outDir,
    runs.flatMap((r) => r.protect),
    runs.find((r) => within(lead.outDir, r.repoDir))?.repoDir,
  );
  const streams = [out.stream('chunks.jsonl'), ...(lead.settings.layout === 'seed' ? [out.stream('chunks_enhanced.jsonl')] : [])];
  return { out, writeRow: (line) => streams.forEach((s) => s.write(line)), closeRows: () => streams.forEach((s) => s.close()) };
}

export interface WriteInput {
  out: AtomicDir;
  sources: Source[];
  preparer: CommitPreparer;
  tokens: TokenOutput;
  examples: Examples;
  last: LastRun | undefined;
  /** Commits chunked by this run. */
  processed: number;
}

export async function writeOutput(run: Run, { out, sources, preparer, tokens, examples, last, processed }: WriteInput): Promise<PipelineResult> {
  const end = run.begin('write', 1);
  run.checkAbort();
  const { outDir, settings, head } = run;
  const commits = sources.reduce((a, s) => a + s.history.order.length, 0);
  const tok = run.tokenizer();
  const tokJson = tok.toJSON();
  const ds: BuiltDataset = {
    toolVersion: TOOL_VERSION,
    repos: sources.map(({ run: r, history: { order }, shared }) => ({
      name: r.name,
      path: r.repoDir,
      ref: settings.ref,
      head: r.head,
      first: order[0] ?? null,
      last: order[order.length - 1] ?? null,
      commits: order.length,
      shared,
    })),
    settings: run.settingsJson as unknown as Record<string, unknown>,
    tokenizer: {
      source: String(tok.source),
      sha256: tok.sha256,
      vocab_size: tok.vocabSize,
      added_tokens: addedTokens(tok),
      json: typeof tokJson === 'string' ? tokJson : JSON.stringify(tokJson),
      special_tokens_json: stringify(tok.specialTokensJSON()),
      vocab: () => vocabOf(tokJson),
    },
    commits: preparer.rows,
    chunkCount: preparer.tally.chunks,
    chunkTokens: examples.chunkTokens,
    examples: examples.examples,
    windows: examples.windows,
    decode: (ids) => tok.decode(ids),
    stats: examples.stats,
    chunkingStats: examples.chunkingStats,
    phases: run.phases,
    previousRun: last && last.out === outDir ? { head: last.head, manifest_sha256: last.manifestSha256, commits: last.result.commits.total } : null,
    sharded: run.scope.sharded,
  };
  // the write phase's timing is recorded just before the manifest (which lists the phases) is written
  const { manifestFile } = writeDataset(out, ds, () => end({ files: out.files.length, bytes: out.files.reduce((a, f) => a + f.bytes, 0) }));
  run.checkAbort();
  await out.commit(() => (run.hooks.mayReplace ? run.hooks.mayReplace() : !run.signal?.aborted));
  run.progress('write', 1, 1);
  run.log(`wrote ${outDir}`);
  const { tally } = preparer;
  const result: PipelineResult = {
    outDir,
    manifestPath: path.join(outDir, 'manifest.json'),
    upToDate: false,
    head,
    commits: { total: commits, processed, cached: commits - processed },
    chunks: tally.chunks,
    examples: examples.counts,
    tokens: tokens.tokens,
    redactions: examples.redactions,
    duplicates: { exact: tally.exactDupes, near: examples.near },
    files: out.files,
    durationMs: Math.round(performance.now() - run.t0),
  };
  run.cache.put('', lastRunKey(run), { ...runIdentity(sources.map((s) => s.run)), out: outDir, manifestSha256: manifestFile.sha256, result } satisfies LastRun);
  return result;
}

function stringify(v: unknown): string {
  return typeof v === 'string' ? v : stableJson(v);
}

function addedTokens(tok: Tokenizer): string[] {
  return tok.addedTokens().map((t) => t.content);
}

function vocabOf(tokJson: unknown): Record<string, number> {
  const obj = (typeof tokJson === 'string' ? JSON.parse(tokJson) : tokJson) as { model?: { vocab?: Record<string, number> }; added_tokens?: Array<{ content: string; id: number }> };
  const vocab: Record<string, number> = { ...(obj.model?.vocab ?? {}) };
  for (const t of obj.added_tokens ?? []) vocab[t.content] = t.id;
  return vocab;
}
