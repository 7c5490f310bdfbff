/**
 * Sharded builds, in three commands any engine can drive (datatrove's shape: one step per index, a completion
 * marker written last, a merge that checks them all):
 *
 *   makePlan(opts, PLAN, N)        PLAN/plan.json: the history at one head, in N ranges balanced by changed bytes
 *   runShard(PLAN, K)              shard K's chunks, token ids and MinHash signatures into PLAN/shards/K/cache/,
 *                                  then PLAN/shards/K/done.json; a completed shard is a no-op, a killed one resumes
 *   mergeShards(PLAN, OUT)         every shard complete and of this plan, or an error naming those that are not and
 *                                  nothing written; then the build's later stages over the shards' entries
 *
 * The merge is the plain build with the shards' caches as read-only layers: its dataset is byte for byte the one
 * `build` writes for the same history and settings (a commit's chunks and ids depend on the commit only; exact
 * dedup, near dedup and splits run over the whole history in the merge).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runPipeline, runShardStages, UsageError, type BuildScope, type PipelineHooks, type PipelineOptions, type PipelineResult, type ShardOutcome } from '../pipeline';
import { readPlan, shardDir, type LoadedPlan } from './plan';
import { writeFileAtomic } from './files';

export { makePlan, readPlan, balance, type Plan, type LoadedPlan } from './plan';

export const DONE_FILE = 'done.json';

/** A shard's completion marker. */
export interface ShardMarker {
  plan_sha256: string;
  index: number;
  first: string;
  last: string;
  /** Its parts' counts added up. */
  outcome: ShardOutcome;
}

function markerFile(dir: string, index: number): string {
  return path.join(shardDir(dir, index), DONE_FILE);
}

/** Shard `index`'s marker when it is complete for this plan; null otherwise (none, damaged, another plan's). */
export function shardMarker(p: LoadedPlan, index: number): ShardMarker | null {
  try {
    const m = JSON.parse(fs.readFileSync(markerFile(p.dir, index), 'utf8')) as ShardMarker;
    return m?.plan_sha256 === p.sha256 && m.index === index ? m : null;
  } catch {
    return null;
  }
}

/**
 * The options and scope a part of the plan builds with: the histories at their heads (all of them, or the one
 * repository `only` names), its settings, its tokenizer.
 */
function planned(p: LoadedPlan, out: string, cacheDir: string, only?: number): { opts: PipelineOptions; scope: BuildScope } {
  const { plan } = p;
  const repos = only === undefined ? plan.repositories : [plan.repositories[only]];
  return {
    opts: { ...plan.options, repo: repos[0].path, ...(repos.length > 1 ? { repos: repos.map((r) => r.path) } : {}), out, cacheDir },
    scope: { heads: repos.map((r) => r.head), expect: { tokenizerSha256: plan.tokenizer_sha256, settings: plan.settings } },
  };
}

/** Runs the build's stages (runPipeline, or the same on a pipeline thread). */
export type PipelineRunner = (opts: PipelineOptions, hooks: PipelineHooks, scope: BuildScope) => Promise<PipelineResult>;

export interface ShardRunResult {
  index: number;
  /** The shard was complete already: nothing was done. */
  upToDate: boolean;
  marker: ShardMarker;
}

/** Builds shard `index` of the plan in `planDir` (see the module comment). */
export async function runShard(planDir: string, index: number, hooks: PipelineHooks = {}): Promise<ShardRunResult> {
  const p = readPlan(planDir);
  const shard = p.plan.shards[index];
  if (!Number.isInteger(index) || !shard) throw new UsageError(`--index must be from 0 to ${p.plan.shards.length - 1} (the plan has ${p.plan.shards.length} shards); got ${index}.`);
  const done = shardMarker(p, index);
  if (done) {
    hooks.log?.(`shard ${index}: complete already (${done.outcome.commits} commits)`);
    return { index, upToDate: true, marker: done };
  }
  const dir = shardDir(p.dir, index);
  // a marker of another plan goes before any work: the shard is not complete until its own is written
  fs.rmSync(markerFile(p.dir, index), { force: true });
  removeTempFiles(path.join(dir, 'cache'));
  // each part (one repository's commit range) into the shard's one cache
  const outcome: ShardOutcome = { commits: 0, chunked: 0, tokenized: 0, chunks: 0, tokens: 0, durationMs: 0 };
  for (const part of shard.parts) {
    const repo = p.plan.repositories[part.repo];
    if (shard.parts.length > 1) hooks.log?.(`shard ${index}: ${repo.name}, commits ${part.from} to ${part.to - 1}`);
    const { opts, scope } = planned(p, dir, dir, part.repo);
    const o = await runShardStages(opts, hooks, scope, { from: part.from, to: part.to, first: part.first, last: part.last, total: repo.commits });
    for (const k of Object.keys(outcome) as Array<keyof ShardOutcome>) outcome[k] += o[k];
  }
  const ends = { first: shard.parts[0].first, last: shard.parts[shard.parts.length - 1].last };
  const marker: ShardMarker = { plan_sha256: p.sha256, index, ...ends, outcome };
  writeFileAtomic(markerFile(p.dir, index), JSON.stringify(marker, null, 2) + '\n');
  hooks.log?.(`shard ${index}: ${outcome.commits} commits (${outcome.chunked} chunked), ${outcome.chunks} chunks, ${outcome.tokens} tokens`);
  return { index, upToDate: false, marker };
}

/** Temp files a killed run of the shard left in its cache (entries are written to `*.tmp`, then renamed). */
function removeTempFiles(cacheDir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(cacheDir, { recursive: true }) as string[];
  } catch {
    return;
  }
  for (const n of names) if (n.endsWith('.tmp')) fs.rmSync(path.join(cacheDir, n), { force: true });
}

/** The shards of the plan that are not complete (no marker of this plan), in index order. */
export function incompleteShards(p: LoadedPlan): number[] {
  return p.plan.shards.filter((s) => !shardMarker(p, s.index)).map((s) => s.index);
}

/** Merges a plan's shards into the dataset at `out` (see the module comment). */
export async function mergeShards(planDir: string, out: string, hooks: PipelineHooks = {}, runner: PipelineRunner = runPipeline): Promise<PipelineResult> {
  const p = readPlan(planDir);
  const missing = incompleteShards(p);
  if (missing.length) {
    const n = p.plan.shards.length;
    const list = missing.length > 8 ? `${missing.slice(0, 8).join(', ')} and ${missing.length - 8} more` : missing.join(', ');
    throw new ShardsIncompleteError(
      `${missing.length === 1 ? 'Shard' : 'Shards'} ${list} of ${n} ${missing.length === 1 ? 'is' : 'are'} not complete (no ${DONE_FILE} of this plan); run "commit-corpus run-shard ${p.dir} --index ${missing[0]}" first. Nothing was written.`,
      missing,
    );
  }
  const markers = p.plan.shards.map((s) => shardMarker(p, s.index)!);
  const { opts, scope } = planned(p, out, path.join(p.dir, 'merge'));
  const sharded = {
    plan_sha256: p.sha256,
    shards: markers.map((m) => ({ index: m.index, first: m.first, last: m.last, commits: m.outcome.commits, chunks: m.outcome.chunks, tokens: m.outcome.tokens })),
  };
  const r = await runner(opts, hooks, { ...scope, cacheLayers: p.plan.shards.map((s) => shardDir(p.dir, s.index)), sharded });
  if (!r.upToDate && r.commits.processed) hooks.log?.(`merge: ${r.commits.processed} commits had no intact shard entry and were chunked again`);
  return r;
}

/** A merge refused because shards are not complete (named in the message and in `shards`). */
export class ShardsIncompleteError extends Error {
  override name = 'ShardsIncompleteError';
  constructor(
    message: string,
    readonly shards: number[],
  ) {
    super(message);
  }
}
