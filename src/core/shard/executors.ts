/**
 * Executors of a plan: they only start the plain commands (`run-shard PLAN --index K`, then `merge PLAN --out
 * DIR`) somewhere; the plan folder carries everything else (markers, caches, logs).
 *
 *   local   shards as child processes, `jobs` at a time, then the merge in this process
 *   slurm   an `sbatch --array=0-(N-1)` script whose tasks run run-shard with $SLURM_ARRAY_TASK_ID, and a merge
 *           job with --dependency=afterok:<array>; `dryRun` only writes the scripts
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AbortError } from '../errors';
import { incompleteShards, readPlan, type LoadedPlan } from './index';
import { writeFileAtomic } from './files';

/** How to run this tool's CLI: the program and its first arguments (node and the CLI script). */
export type CliCommand = string[];

export interface LocalOptions {
  command: CliCommand;
  /** Shards run at once. */
  jobs: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** The arguments of run-shard for shard `k`: those before the index, the index, those after it. */
function shardArgs(p: LoadedPlan, single: boolean): [string[], string[]] {
  return [
    ['run-shard', p.dir, '--index'],
    ['--quiet', ...(single ? ['--no-workers', '--chunk-workers', '0'] : [])],
  ];
}

/**
 * Runs every incomplete shard of the plan as a child process, `jobs` at a time (each shard's output goes to
 * PLAN/logs/shard-K.log). Resolves when all are complete; a failed shard → an error naming it and its log's last
 * line (the other running shards finish; none is started after it). Cancelling stops the children (SIGINT: each
 * leaves its shard resumable).
 */
export async function runShardsLocally(planDir: string, o: LocalOptions): Promise<void> {
  const p = readPlan(planDir);
  const todo = incompleteShards(p);
  const logs = path.join(p.dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  o.log?.(`local executor: ${todo.length} of ${p.plan.shards.length} shards to run, ${o.jobs} at a time`);
  const running = new Set<ReturnType<typeof spawn>>();
  const failed: string[] = [];
  const onAbort = () => running.forEach((c) => c.kill('SIGINT'));
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let next = 0;
    const worker = async () => {
      while (next < todo.length && !failed.length && !o.signal?.aborted) {
        const k = todo[next++];
        const logFile = path.join(logs, `shard-${k}.log`);
        const fd = fs.openSync(logFile, 'w');
        const [program, ...pre] = o.command;
        // `jobs` processes share the machine: each shard runs on its one thread
        const [before, after] = shardArgs(p, true);
        const child = spawn(program, [...pre, ...before, String(k), ...after], { stdio: ['ignore', fd, fd] });
        running.add(child);
        const code = await new Promise<number | string>((resolve) => {
          child.on('error', (e) => resolve(e.message));
          child.on('exit', (c, sig) => resolve(c ?? sig ?? 1));
        });
        running.delete(child);
        fs.closeSync(fd);
        const ok = code === 0;
        o.log?.(`shard ${k}: ${ok ? 'complete' : 'failed'}`);
        if (!ok && !o.signal?.aborted) failed.push(`shard ${k} (exit ${code}: ${lastLine(logFile)}; log ${logFile})`);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.jobs, todo.length)) }, worker));
    if (o.signal?.aborted) throw new AbortError();
    if (failed.length) throw new Error(`${failed.length === 1 ? 'A shard' : `${failed.length} shards`} failed: ${failed.join('; ')}. Completed shards are kept; run the same command again to resume.`);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}

function lastLine(file: string): string {
  try {
    const lines = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim());
    return (lines[lines.length - 1] ?? 'no output').slice(0, 300);
  } catch {
    return 'no output';
  }
}

export interface SlurmOptions {
  command: CliCommand;
  /** The merged dataset's folder. */
  out: string;
  partition?: string;
  /** Time limit of each task (sbatch --time, e.g. 1:00:00). */
  time?: string;
  /** Memory of each task (sbatch --mem, e.g. 4G). */
  mem?: string;
  cpusPerTask?: number;
  /** Only write the scripts. */
  dryRun?: boolean;
  /** sbatch's path (default: sbatch on PATH). */
  sbatch?: string;
  log?: (line: string) => void;
}

export interface SlurmSubmission {
  shardsScript: string;
  mergeScript: string;
  /** Job ids (none with dryRun). */
  arrayJob?: string;
  mergeJob?: string;
  /** The commands that submit them (what dryRun prints). */
  commands: string[];
}

/** A word for a POSIX shell: single-quoted. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** sbatch's answer to --parsable: "jobid" or "jobid;cluster". */
function parseJobId(out: string): string {
  const id = out.trim().split(';')[0];
  if (!/^\d+$/.test(id)) throw new Error(`sbatch did not print a job id: ${out.trim().slice(0, 200)}`);
  return id;
}

/**
 * Writes PLAN/slurm/shards.sbatch and merge.sbatch and (unless dryRun) submits them: the array first, then the
 * merge depending on it (afterok: a failed shard leaves the merge pending, never run on partial data).
 */
export function submitSlurm(planDir: string, o: SlurmOptions): SlurmSubmission {
  const p = readPlan(planDir);
  const dir = path.join(p.dir, 'slurm');
  fs.mkdirSync(dir, { recursive: true });
  const n = p.plan.shards.length;
  // every #SBATCH line before the first command (sbatch reads no directive after it)
  const head = (name: string, log: string, extra: string[] = []) =>
    [
      '#!/bin/bash',
      `#SBATCH --job-name=${name}`,
      `#SBATCH --output=${path.join(dir, log)}`,
      ...extra,
      ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
      ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
      ...(o.mem ? [`#SBATCH --mem=${o.mem}`] : []),
      ...(o.cpusPerTask ? [`#SBATCH --cpus-per-task=${o.cpusPerTask}`] : []),
      'set -euo pipefail',
    ].join('\n');
  const cmd = (args: string[]) => args.map(shellQuote).join(' ');
  const [before, after] = shardArgs(p, !o.cpusPerTask || o.cpusPerTask <= 1);
  const shardsScript = path.join(dir, 'shards.sbatch');
  const mergeScript = path.join(dir, 'merge.sbatch');
  writeFileAtomic(shardsScript, `${head('commit-corpus-shard', 'shard-%a.log', [`#SBATCH --array=0-${n - 1}`])}\nexec ${cmd([...o.command, ...before])} "$SLURM_ARRAY_TASK_ID" ${cmd(after)}\n`);
  writeFileAtomic(mergeScript, `${head('commit-corpus-merge', 'merge.log')}\nexec ${cmd([...o.command, 'merge', p.dir, '--out', path.resolve(o.out), '--quiet'])}\n`);
  const sbatch = o.sbatch ?? 'sbatch';
  const commands = [`${sbatch} --parsable ${shellQuote(shardsScript)}`, `${sbatch} --parsable --dependency=afterok:<array job> ${shellQuote(mergeScript)}`];
  if (o.dryRun) return { shardsScript, mergeScript, commands };
  const submit = (args: string[]) => {
    const r = spawnSync(sbatch, args, { encoding: 'utf8' });
    if (r.error) throw new Error(`cannot run ${sbatch}: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`${sbatch} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
    return parseJobId(r.stdout);
  };
  const arrayJob = submit(['--parsable', shardsScript]);
  const mergeJob = submit(['--parsable', `--dependency=afterok:${arrayJob}`, mergeScript]);
  o.log?.(`slurm: shards as array job ${arrayJob} (${n} tasks), merge as job ${mergeJob} after them`);
  return { shardsScript, mergeScript, arrayJob, mergeJob, commands };
}

export interface SlurmWait {
  arrayJob: string;
  mergeJob: string;
  out: string;
  squeue?: string;
  scancel?: string;
  pollMs?: number;
  log?: (line: string) => void;
}

/**
 * Waits until the submitted jobs have left the queue: resolves with the dataset folder when the merge wrote it
 * for this plan; a failed shard (the merge can then never start: Slurm says DependencyNeverSatisfied) → the merge
 * job is cancelled and the error names the shards that are not complete.
 */
export async function waitForSlurm(planDir: string, w: SlurmWait): Promise<string> {
  const p = readPlan(planDir);
  const squeue = w.squeue ?? 'squeue';
  for (;;) {
    const r = spawnSync(squeue, ['-h', '-j', `${w.arrayJob},${w.mergeJob}`, '-o', '%i|%T|%r'], { encoding: 'utf8' });
    if (r.error) throw new Error(`cannot run ${squeue}: ${r.error.message}`);
    // jobs that ended long ago are unknown to squeue: "Invalid job id"
    const lines = r.status === 0 ? r.stdout.split('\n').filter(Boolean) : [];
    const merge = lines.find((l) => l.split('|')[0] === w.mergeJob);
    if (merge && /DependencyNeverSatisfied/.test(merge)) {
      spawnSync(w.scancel ?? 'scancel', [w.mergeJob]);
      throw new Error(
        `The merge job ${w.mergeJob} cannot start: shards ${incompleteShards(p).join(', ')} did not complete (logs in ${path.join(p.dir, 'slurm')}); it was cancelled. Run launch again to resubmit.`,
      );
    }
    if (!lines.length) break;
    await new Promise((resolve) => setTimeout(resolve, w.pollMs ?? 1000));
  }
  const out = path.resolve(w.out);
  try {
    const m = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { sharded?: { plan_sha256?: string } };
    if (m.sharded?.plan_sha256 === p.sha256) return out;
  } catch {
    /* not written */
  }
  const missing = incompleteShards(p);
  throw new Error(
    `The jobs ended without the dataset: ${missing.length ? `shards ${missing.join(', ')} did not complete` : 'the merge failed'} (${lastLine(path.join(p.dir, 'slurm', missing.length ? `shard-${missing[0]}.log` : 'merge.log'))}).`,
  );
}
