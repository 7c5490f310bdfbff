/**
 * A sharded build's plan: each repository's history at one head commit, the histories one after the other cut into
 * contiguous ranges balanced by the bytes they change (a shard may hold the end of one repository and the start
 * of the next: its parts), with the settings and the tokenizer every shard must build with.
 *
 *   PLAN/plan.json                 the plan (written by `plan`, read by `run-shard` and `merge`)
 *   PLAN/shards/K/cache/           shard K's chunk and token cache entries (its output)
 *   PLAN/shards/K/done.json        shard K's completion marker, written last; it names the plan's sha256
 *   PLAN/merge/cache/              the merge's own cache (re-tokenized commits, its no-op check)
 *
 * Any engine can drive it: each shard is one plain command (`run-shard PLAN --index K`), the merge another.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError, type PipelineOptions } from '../pipeline';
import { reposOf } from '../pipeline/options';
import { ENGINE_REVISION, repoNames, Run, TOOL_VERSION } from '../pipeline/run';
import { readHistory } from '../pipeline/stages/history';
import { sha256, stableJson } from '../dataset/output';
import { fsProblem } from '../errors';
import { writeFileAtomic } from './files';

export const PLAN_FORMAT = 'commit-corpus-plan';
export const PLAN_VERSION = 2;

/** Commits [from, to) of one repository's planned history (oldest first). */
export interface ShardPart {
  /** The repository's index in the plan's `repositories`. */
  repo: number;
  from: number;
  to: number;
  first: string;
  last: string;
}

export interface PlannedShard {
  index: number;
  parts: ShardPart[];
  commits: number;
  /** Bytes of the source files the shard's commits change (old and new side): what the plan balances. */
  bytes: number;
}

export interface Plan {
  format: typeof PLAN_FORMAT;
  version: number;
  tool: string;
  engine: number;
  /** The repositories in build order, each at its planned head, with its history's length. */
  repositories: PlannedRepository[];
  /** The build options every shard and the merge run with (absolute paths; no repository, output or cache folder). */
  options: Omit<PipelineOptions, 'repo' | 'repos' | 'out' | 'cache' | 'cacheDir'>;
  /** The resolved settings: a shard built by an engine that resolves them otherwise is refused. */
  settings: Record<string, unknown>;
  tokenizer_sha256: string;
  shards: PlannedShard[];
}

export interface PlannedRepository {
  name: string;
  path: string;
  ref: string;
  head: string;
  commits: number;
}

/** A plan read back, with the sha256 of its file (what shard markers and the merged manifest name). */
export interface LoadedPlan {
  dir: string;
  plan: Plan;
  sha256: string;
}

export const MAX_SHARDS = 10_000;

export function planFile(dir: string): string {
  return path.join(dir, 'plan.json');
}

export function shardDir(dir: string, index: number): string {
  return path.join(dir, 'shards', String(index));
}

/** Options that name files, made absolute so every shard (another process, another node) reads the same ones. */
function absolute(o: PipelineOptions): Plan['options'] {
  const { repo: _repo, repos: _repos, out: _out, cache: _cache, cacheDir: _cacheDir, ...rest } = o;
  return {
    ...rest,
    ...(rest.tokenizer ? { tokenizer: path.resolve(rest.tokenizer) } : {}),
    ...(rest.decontaminate ? { decontaminate: rest.decontaminate.map((f) => path.resolve(f)) } : {}),
  };
}

/**
 * Writes PLAN/plan.json: the histories `opts` selects (one repository or several) at the ref's current heads, in
 * `shards` ranges. PLAN must be new, empty, or a plan folder (its plan.json is replaced; shards built for another
 * plan are then rebuilt).
 */
export async function makePlan(opts: PipelineOptions, planDir: string, shards: number, log: (line: string) => void = () => {}): Promise<LoadedPlan> {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) throw new UsageError(`--shards must be from 1 to ${MAX_SHARDS}; got ${shards}.`);
  const dir = path.resolve(planDir);
  checkPlanFolder(dir);
  const dirs = reposOf(opts);
  const names = repoNames(dirs);
  const repositories: PlannedRepository[] = [];
  const orders: string[][] = [];
  // every commit's changed bytes, the histories one after the other
  const bytes: number[] = [];
  let first: Run | null = null;
  for (const [i, repo] of dirs.entries()) {
    // no cache: planning reads the history and its trees, nothing else, and writes nothing into the repository
    const run = await Run.open({ ...opts, repo, repos: undefined, cache: false }, { log }, { noOutput: true });
    try {
      const history = await readHistory(run);
      const { order } = history;
      if (!order.length) throw new UsageError(`${run.repoDir}: the settings select no commit to build`);
      bytes.push(...(await changedBytes(run, history.options, order)));
      repositories.push({ name: names[i], path: run.repoDir, ref: run.settings.ref, head: run.head, commits: order.length });
      orders.push(order);
      first ??= run;
    } finally {
      run.repo.close();
    }
  }
  const run = first!;
  const ranges = balance(bytes, Math.min(shards, bytes.length));
  const plan: Plan = {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    tool: TOOL_VERSION,
    engine: ENGINE_REVISION,
    repositories,
    options: absolute(opts),
    settings: run.settingsJson as unknown as Record<string, unknown>,
    tokenizer_sha256: run.tokSha,
    shards: ranges.map(([from, to], index) => ({ index, parts: partsOf(orders, from, to), commits: to - from, bytes: sum(bytes, from, to) })),
  };
  const text = stableJson(plan) + '\n';
  try {
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(planFile(dir), text);
  } catch (e) {
    throw new UsageError(`Cannot write the plan: ${fsProblem(e, dir)}.`);
  }
  log(`plan: ${bytes.length} commits of ${repositories.length} ${repositories.length === 1 ? 'repository' : 'repositories'} in ${ranges.length} shards → ${planFile(dir)}`);
  return { dir, plan, sha256: sha256(text) };
}

/** Range [from, to) of the histories one after the other, as each repository's part of it. */
function partsOf(orders: string[][], from: number, to: number): ShardPart[] {
  const parts: ShardPart[] = [];
  let start = 0;
  for (const [repo, order] of orders.entries()) {
    const a = Math.max(from, start) - start;
    const b = Math.min(to, start + order.length) - start;
    if (a < b) parts.push({ repo, from: a, to: b, first: order[a], last: order[b - 1] });
    start += order.length;
  }
  return parts;
}

/** A plan folder may be written when it is new, empty, or holds a plan (nothing else of the user's is touched). */
function checkPlanFolder(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new UsageError(`Cannot use the plan folder: ${fsProblem(e, dir)}.`);
  }
  if (!names.length) return;
  if (!names.includes('plan.json')) throw new UsageError(`${dir} is not empty and holds no plan.json: choose a new or empty folder for the plan.`);
  readPlan(dir); // a plan.json that is not a plan is refused as well
}

/** Bytes each commit changes in the files the settings keep (blob sizes from the pack, no blob inflated). */
async function changedBytes(run: Run, options: Parameters<Run['repo']['changedBytes']>[0], order: string[]): Promise<number[]> {
  const sizes = new Map<string, number>();
  for await (const c of run.repo.changedBytes(options, run.signal)) sizes.set(c.hash, c.bytes);
  return order.map((h) => sizes.get(h) ?? 0);
}

function sum(a: number[], from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s;
}

/**
 * `n` contiguous, non-empty ranges of `weights` with sums as even as a cut between commits allows: range k ends
 * where the running total first reaches k/n of the whole (each commit also weighs 1, so empty commits spread too).
 */
export function balance(weights: readonly number[], n: number): Array<[number, number]> {
  const prefix = [0];
  for (const x of weights) prefix.push(prefix[prefix.length - 1] + x + 1);
  const total = prefix[prefix.length - 1];
  const ranges: Array<[number, number]> = [];
  let from = 0;
  for (let k = 1; k <= n; k++) {
    let to = weights.length;
    if (k < n) {
      // the cut nearest to k/n of the whole, leaving at least one commit to this range and each after it
      const goal = (k * total) / n;
      to = from + 1;
      while (to < weights.length - (n - k) && Math.abs(prefix[to + 1] - goal) <= Math.abs(prefix[to] - goal)) to++;
    }
    ranges.push([from, to]);
    from = to;
  }
  return ranges;
}

/** Reads and checks PLAN/plan.json; a missing or foreign file is a usage error in one sentence. */
export function readPlan(planDir: string): LoadedPlan {
  const dir = path.resolve(planDir);
  let text: string;
  try {
    text = fs.readFileSync(planFile(dir), 'utf8');
  } catch (e) {
    throw new UsageError(`No plan in ${dir}: ${fsProblem(e, planFile(dir))} (make one with "commit-corpus plan REPO --shards N --out ${dir}").`);
  }
  let plan: Plan;
  try {
    plan = JSON.parse(text) as Plan;
  } catch {
    throw new UsageError(`${planFile(dir)} is not a plan (it does not parse as JSON).`);
  }
  if (plan?.format !== PLAN_FORMAT || !Array.isArray(plan.shards) || !Array.isArray(plan.repositories)) throw new UsageError(`${planFile(dir)} is not a plan of commit-corpus.`);
  if (plan.version !== PLAN_VERSION || plan.tool !== TOOL_VERSION || plan.engine !== ENGINE_REVISION)
    throw new UsageError(`${planFile(dir)} was made by commit-corpus ${plan.tool} (engine ${plan.engine}); this is ${TOOL_VERSION} (engine ${ENGINE_REVISION}): make the plan again.`);
  // the parts, shard after shard, cover each repository's history in order, once
  let repo = 0;
  let next = 0;
  const broken = (i: number) => new UsageError(`${planFile(dir)}: shard ${i} does not follow the one before it.`);
  for (const [i, s] of plan.shards.entries()) {
    if (s.index !== i || !Array.isArray(s.parts) || !s.parts.length) throw broken(i);
    let commits = 0;
    for (const part of s.parts) {
      if (part.repo === repo + 1 && next === plan.repositories[repo]?.commits) [repo, next] = [repo + 1, 0];
      if (part.repo !== repo || part.from !== next || !(part.to > part.from) || typeof part.first !== 'string' || typeof part.last !== 'string') throw broken(i);
      next = part.to;
      commits += part.to - part.from;
    }
    if (s.commits !== commits) throw broken(i);
  }
  if (!plan.shards.length || !plan.repositories.length || repo !== plan.repositories.length - 1 || next !== plan.repositories[repo].commits)
    throw new UsageError(`${planFile(dir)}: the shards do not cover the planned ${plan.repositories.reduce((a, r) => a + (r?.commits ?? 0), 0)} commits.`);
  return { dir, plan, sha256: sha256(text) };
}
