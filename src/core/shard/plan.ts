/**
 * A sharded build's plan: the repository's history at one head commit, cut into contiguous commit ranges
 * balanced by the bytes they change, with the settings and the tokenizer every shard must build with.
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
import { ENGINE_REVISION, Run, TOOL_VERSION } from '../pipeline/run';
import { readHistory } from '../pipeline/stages/history';
import { sha256, stableJson } from '../dataset/output';
import { fsProblem } from '../errors';
import { writeFileAtomic } from './files';

export const PLAN_FORMAT = 'commit-corpus-plan';
export const PLAN_VERSION = 1;

export interface PlannedShard {
  index: number;
  /** Commits [from, to) of the planned history, oldest first. */
  from: number;
  to: number;
  first: string;
  last: string;
  commits: number;
  /** Bytes of the source files the shard's commits change (old and new side): what the plan balances. */
  bytes: number;
}

export interface Plan {
  format: typeof PLAN_FORMAT;
  version: number;
  tool: string;
  engine: number;
  repository: { path: string; ref: string; head: string; commits: number };
  /** The build options every shard and the merge run with (absolute paths; no output or cache folder). */
  options: Omit<PipelineOptions, 'repo' | 'out' | 'cache' | 'cacheDir'>;
  /** The resolved settings: a shard built by an engine that resolves them otherwise is refused. */
  settings: Record<string, unknown>;
  tokenizer_sha256: string;
  shards: PlannedShard[];
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
  const { repo: _repo, out: _out, cache: _cache, cacheDir: _cacheDir, ...rest } = o;
  return {
    ...rest,
    ...(rest.tokenizer ? { tokenizer: path.resolve(rest.tokenizer) } : {}),
    ...(rest.decontaminate ? { decontaminate: rest.decontaminate.map((f) => path.resolve(f)) } : {}),
  };
}

/**
 * Writes PLAN/plan.json: the history `opts` selects at the ref's current head, in `shards` ranges. PLAN must be
 * new, empty, or a plan folder (its plan.json is replaced; shards built for another plan are then rebuilt).
 */
export async function makePlan(opts: PipelineOptions, planDir: string, shards: number, log: (line: string) => void = () => {}): Promise<LoadedPlan> {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) throw new UsageError(`--shards must be from 1 to ${MAX_SHARDS}; got ${shards}.`);
  const dir = path.resolve(planDir);
  checkPlanFolder(dir);
  // no cache: planning reads the history and its trees, nothing else, and writes nothing into the repository
  const run = await Run.open({ ...opts, cache: false }, { log }, { noOutput: true });
  try {
    const history = await readHistory(run);
    const { order } = history;
    if (!order.length) throw new UsageError(`${run.repoDir}: the settings select no commit to build`);
    const bytes = await changedBytes(run, history.options, order);
    const ranges = balance(bytes, Math.min(shards, order.length));
    const plan: Plan = {
      format: PLAN_FORMAT,
      version: PLAN_VERSION,
      tool: TOOL_VERSION,
      engine: ENGINE_REVISION,
      repository: { path: run.repoDir, ref: run.settings.ref, head: run.head, commits: order.length },
      options: absolute(opts),
      settings: run.settingsJson as unknown as Record<string, unknown>,
      tokenizer_sha256: run.tokSha,
      shards: ranges.map(([from, to], index) => ({ index, from, to, first: order[from], last: order[to - 1], commits: to - from, bytes: sum(bytes, from, to) })),
    };
    const text = stableJson(plan) + '\n';
    try {
      fs.mkdirSync(dir, { recursive: true });
      writeFileAtomic(planFile(dir), text);
    } catch (e) {
      throw new UsageError(`Cannot write the plan: ${fsProblem(e, dir)}.`);
    }
    log(`plan: ${order.length} commits in ${ranges.length} shards → ${planFile(dir)}`);
    return { dir, plan, sha256: sha256(text) };
  } finally {
    run.repo.close();
  }
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
  if (plan?.format !== PLAN_FORMAT || !Array.isArray(plan.shards) || typeof plan.repository?.head !== 'string') throw new UsageError(`${planFile(dir)} is not a plan of commit-corpus.`);
  if (plan.version !== PLAN_VERSION || plan.tool !== TOOL_VERSION || plan.engine !== ENGINE_REVISION)
    throw new UsageError(`${planFile(dir)} was made by commit-corpus ${plan.tool} (engine ${plan.engine}); this is ${TOOL_VERSION} (engine ${ENGINE_REVISION}): make the plan again.`);
  let next = 0;
  for (const [i, s] of plan.shards.entries()) {
    if (s.index !== i || s.from !== next || !(s.to > s.from) || s.commits !== s.to - s.from) throw new UsageError(`${planFile(dir)}: shard ${i} does not follow the one before it.`);
    next = s.to;
  }
  if (next !== plan.repository.commits || !plan.shards.length) throw new UsageError(`${planFile(dir)}: the shards do not cover the planned ${plan.repository.commits} commits.`);
  return { dir, plan, sha256: sha256(text) };
}
