/** The CLI's sharded-build commands: plan, run-shard, merge, launch (see src/core/shard). */
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { engineDefault } from '../core/pipeline/schema';
import { UsageError, type PipelineOptions } from '../core/pipeline';
import { makePlan, mergeShards, readPlan, runShard, type Plan } from '../core/shard';
import { runShardsLocally, submitSlurm, waitForSlurm } from '../core/shard/executors';
import { escapeTerminal } from './escape';
import { BUILD_OPTIONS, int, optionsFromFlags, printResult, repositoriesFrom, startSession, type CliContext, type Streams } from './common';

export const SHARD_HELP = `Sharded builds (many machines; each step is one plain command any scheduler can run):
  commit-corpus plan [repo…] --shards N --out PLAN [build options] cut the histories into N shards
  commit-corpus run-shard PLAN --index K                           build shard K (a completed shard is a no-op)
  commit-corpus merge PLAN --out DIR                               every shard complete → the dataset
  commit-corpus launch PLAN --out DIR --executor local [--jobs N]  run the shards here, then merge
  commit-corpus launch PLAN --out DIR --executor slurm [--partition P] [--time T] [--mem M]
                       [--cpus-per-task C] [--dry-run] [--wait]    an sbatch array, then a merge job after it`;

const SESSION_FLAGS = {
  help: { type: 'boolean', short: 'h' },
  quiet: { type: 'boolean', short: 'q' },
  json: { type: 'boolean' },
  'chunk-workers': { type: 'string' },
  'no-workers': { type: 'boolean' },
} as const;

/** "N commits of R at HEAD" / "N commits of K repositories". */
function planSummary(plan: Plan): string {
  const r = plan.repositories;
  const commits = r.reduce((a, x) => a + x.commits, 0);
  return r.length === 1 ? `${commits} commits at ${r[0].head.slice(0, 12)}` : `${commits} commits of ${r.length} repositories`;
}

function help(io: Streams): number {
  io.stdout.write(`${SHARD_HELP}\n\nplan takes every build option (commit-corpus --help); run-shard, merge and launch take --quiet and --json.\n`);
  return 0;
}

/** How child processes and Slurm tasks run this CLI: node and the CLI script (absolute). */
function cliCommand(ctx: CliContext): string[] {
  const script = ctx.cliScript ?? ctx.workerScript;
  if (!script) throw new UsageError('launch needs the CLI script to start shards with (run the commit-corpus command)');
  return [process.execPath, ...(ctx.cliArgs ?? []), path.resolve(script)];
}

export async function plan(args: string[], io: Streams): Promise<number> {
  const parsed = parseArgs({ args, options: { ...BUILD_OPTIONS, shards: { type: 'string' } }, allowPositionals: true, strict: true });
  const { positionals } = parsed;
  const v = parsed.values as Record<string, string | boolean | Array<string | boolean> | undefined>;
  if (v.help) return help(io);
  const shards = int('shards', v.shards as string | undefined);
  if (shards === undefined) throw new UsageError('plan needs --shards N');
  if (typeof v.out !== 'string') throw new UsageError('plan needs --out PLAN (the plan folder)');
  const opts: PipelineOptions = { ...repositoriesFrom(positionals, v.repos), out: engineDefault<string>('out'), ...optionsFromFlags(v) };
  const log = v.quiet ? undefined : (line: string) => io.stderr.write(`${escapeTerminal(line)}\n`);
  const p = await makePlan(opts, v.out, shards, log);
  if (v.json) io.stdout.write(JSON.stringify({ plan: path.join(p.dir, 'plan.json'), sha256: p.sha256, shards: p.plan.shards }, null, 2) + '\n');
  else {
    io.stdout.write(`Plan written to ${escapeTerminal(path.join(p.dir, 'plan.json'))}: ${planSummary(p.plan)} in ${p.plan.shards.length} shards\n`);
    for (const s of p.plan.shards) io.stdout.write(`  shard ${s.index}: ${s.commits} commits, ${s.bytes >= 1e6 ? `${(s.bytes / 1e6).toFixed(1)} MB` : `${(s.bytes / 1e3).toFixed(1)} KB`} changed\n`);
  }
  return 0;
}

export async function runShardCommand(args: string[], io: Streams, ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parseArgs({ args, options: { ...SESSION_FLAGS, index: { type: 'string' } }, allowPositionals: true, strict: true });
  if (v.help) return help(io);
  if (positionals.length !== 1) throw new UsageError('run-shard takes one plan folder');
  const index = int('index', v.index as string | undefined);
  if (index === undefined) throw new UsageError('run-shard needs --index K');
  const session = startSession(v, io, ctx);
  const hooks = session.hooks;
  // dropped from the shipped bundles (esbuild dropLabels): the Slurm test slows a shard down to cancel it half-way
  TEST_AIDS: {
    const ms = Number(process.env.COMMIT_CORPUS_TEST_SHARD_DELAY_MS ?? 0);
    const onProgress = hooks.onProgress;
    if (ms > 0) hooks.onProgress = (e) => (Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms), onProgress?.(e));
  }
  try {
    const r = await runShard(positionals[0], index, hooks);
    session.progress?.done();
    const o = r.marker.outcome;
    if (v.json) io.stdout.write(JSON.stringify(r, null, 2) + '\n');
    else
      io.stdout.write(
        r.upToDate
          ? `Shard ${index} is complete already\n`
          : `Shard ${index} complete: ${o.commits} commits (${o.chunked} chunked, ${o.tokenized} tokenized), ${o.chunks} chunks, ${o.tokens} tokens\n`,
      );
    return 0;
  } finally {
    session.end();
  }
}

export async function merge(args: string[], io: Streams, ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parseArgs({ args, options: { ...SESSION_FLAGS, out: { type: 'string' } }, allowPositionals: true, strict: true });
  if (v.help) return help(io);
  if (positionals.length !== 1) throw new UsageError('merge takes one plan folder');
  if (typeof v.out !== 'string') throw new UsageError('merge needs --out DIR (the dataset folder)');
  const session = startSession(v, io, ctx);
  try {
    const r = await mergeShards(positionals[0], v.out, session.hooks, session.runner);
    session.progress?.done();
    printResult(r, !!v.json, io);
    return 0;
  } finally {
    session.end();
  }
}

export async function launch(args: string[], io: Streams, ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parseArgs({
    args,
    options: {
      ...SESSION_FLAGS,
      out: { type: 'string' },
      executor: { type: 'string' },
      jobs: { type: 'string' },
      partition: { type: 'string' },
      time: { type: 'string' },
      mem: { type: 'string' },
      'cpus-per-task': { type: 'string' },
      'dry-run': { type: 'boolean' },
      wait: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (v.help) return help(io);
  if (positionals.length !== 1) throw new UsageError('launch takes one plan folder');
  if (typeof v.out !== 'string') throw new UsageError('launch needs --out DIR (the dataset folder)');
  const planDir = positionals[0];
  readPlan(planDir); // a missing or foreign plan is a usage error before anything starts
  const log = v.quiet ? undefined : (line: string) => io.stderr.write(`${escapeTerminal(line)}\n`);
  if (v.executor === 'slurm') {
    const s = submitSlurm(planDir, {
      command: cliCommand(ctx),
      out: v.out,
      partition: v.partition,
      time: v.time,
      mem: v.mem,
      cpusPerTask: int('cpus-per-task', v['cpus-per-task'] as string | undefined),
      dryRun: !!v['dry-run'],
      log,
    });
    if (v['dry-run']) {
      io.stdout.write(
        `Scripts written (not submitted):\n  ${escapeTerminal(s.shardsScript)}\n  ${escapeTerminal(s.mergeScript)}\nSubmit them with:\n${s.commands.map((c) => `  ${escapeTerminal(c)}\n`).join('')}`,
      );
      return 0;
    }
    io.stdout.write(`Submitted: shards as array job ${s.arrayJob}, merge as job ${s.mergeJob} (afterok)\n`);
    if (v.wait) {
      const r = await waitForSlurm(planDir, { arrayJob: s.arrayJob!, mergeJob: s.mergeJob!, out: v.out, log });
      io.stdout.write(`Dataset written to ${escapeTerminal(r)}\n`);
    }
    return 0;
  }
  if (v.executor !== 'local') throw new UsageError(`--executor must be local or slurm; got "${escapeTerminal(String(v.executor ?? ''))}"`);
  if (v['dry-run'] || v.wait || v.partition || v.time || v.mem || v['cpus-per-task'])
    throw new UsageError('--partition, --time, --mem, --cpus-per-task, --dry-run and --wait are options of --executor slurm');
  const jobs = int('jobs', v.jobs as string | undefined) ?? os.availableParallelism();
  if (jobs < 1 || jobs > 256) throw new UsageError(`--jobs must be from 1 to 256; got ${jobs}.`);
  const session = startSession(v, io, ctx);
  try {
    await runShardsLocally(planDir, { command: cliCommand(ctx), jobs, signal: session.hooks.signal, log: session.hooks.log });
    const r = await mergeShards(planDir, v.out, session.hooks, session.runner);
    session.progress?.done();
    printResult(r, !!v.json, io);
    return 0;
  } finally {
    session.end();
  }
}
