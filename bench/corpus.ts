/**
 * The corpus benchmark: each repository's whole history built with the defaults, as a user runs it (the bundled
 * CLI in a child process, cold cache), then `verify` against the repository; one row per repository.
 *
 *   npm run bench:corpus -- REPO… [--timeout-min 90] [--keep]
 *
 * Columns: status (ok, or the exit code / "killed" past the timeout, with the last line of stderr), wall, peak
 * RSS, commits, chunks, examples (train/val/test), files skipped for the time budget (all named in the log),
 * changed text, verify (OK or the number of problems) and its time. Work folders go to bench/.work/corpus/
 * (git-ignored) and are removed after each repository unless --keep.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PipelineResult } from '../src/core/pipeline';
import { runChild } from './child';

interface Row {
  repo: string;
  status: string;
  wall: string;
  peak: string;
  commits: string;
  chunks: string;
  examples: string;
  timeouts: string;
  changed: string;
  verify: string;
}

const COLUMNS: Array<[keyof Row, string]> = [
  ['repo', 'repository'],
  ['status', 'status'],
  ['wall', 'wall'],
  ['peak', 'peak RSS'],
  ['commits', 'commits'],
  ['chunks', 'chunks'],
  ['examples', 'examples (train/val/test)'],
  ['timeouts', 'timeouts'],
  ['changed', 'changed text'],
  ['verify', 'verify'],
];

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const secs = (ms: number) => (ms >= 600_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`);

/** A short name: `owner/name` for the search tool's mirrors (`/work/.mirror/owner+name/repo`), else the folder's. */
function nameOf(repo: string): string {
  const m = /([^/]+)\+([^/]+)\/repo\/?$/.exec(repo);
  return m ? `${m[1]}/${m[2]}` : path.basename(repo.replace(/\/(\.git)?\/?$/, ''));
}

function lastLine(s: string): string {
  return s.trim().split('\n').filter(Boolean).pop()?.slice(0, 160) ?? '';
}

async function one(repo: string, work: string, timeoutMs: number, keep: boolean): Promise<Row> {
  const name = nameOf(repo);
  const dir = path.join(work, name.replace(/[^\w.-]/g, '_'));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, 'out');
  const row: Row = { repo: name, status: '', wall: '', peak: '', commits: '', chunks: '', examples: '', timeouts: '', changed: '', verify: '' };
  try {
    process.stderr.write(`── ${name}: building ${repo}\n`);
    const b = await runChild(['build', repo, '--out', out, '--cache-dir', path.join(dir, 'cache'), '--json'], { timeoutMs, echo: true });
    row.wall = secs(b.wall);
    row.peak = mib(b.peakRss);
    if (b.code !== 0) {
      row.status = b.code === null ? `killed after ${secs(timeoutMs)}` : `exit ${b.code}: ${lastLine(b.stderr)}`;
      return row;
    }
    const r = JSON.parse(b.stdout) as PipelineResult;
    const cs = JSON.parse(fs.readFileSync(path.join(out, 'chunking_stats.json'), 'utf8')) as { changed_bytes: number; skips: Record<string, number> };
    row.status = 'ok';
    row.commits = String(r.commits.total);
    row.chunks = String(r.chunks);
    row.examples = `${r.examples.train}/${r.examples.val}/${r.examples.test}`;
    const named = (b.stderr.match(/skipped \(timeout\)/g) ?? []).length;
    const counted = cs.skips.timeout ?? 0;
    row.timeouts = counted === named ? String(counted) : `${counted} (${named} named)`;
    row.changed = `${(cs.changed_bytes / 1e6).toFixed(1)} MB`;
    process.stderr.write(`── ${name}: verify\n`);
    const v = await runChild(['verify', out, '--repo', repo, '--json'], { timeoutMs });
    if (v.code === null) row.verify = `killed after ${secs(timeoutMs)}`;
    else {
      const rep = JSON.parse(v.stdout) as { problems: string[]; checked: { blobs: number } };
      row.verify = `${rep.problems.length === 0 ? 'OK' : `${rep.problems.length} problems`} (${rep.checked.blobs} blobs, ${secs(v.wall)})`;
      for (const p of rep.problems.slice(0, 5)) process.stderr.write(`   verify: ${p}\n`);
    }
    return row;
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function table(rows: Row[]): string {
  const head = `| ${COLUMNS.map(([, t]) => t).join(' | ')} |`;
  const rule = `| ${COLUMNS.map(() => '---').join(' | ')} |`;
  return [head, rule, ...rows.map((r) => `| ${COLUMNS.map(([k]) => r[k].replace(/\|/g, '\\|')).join(' | ')} |`)].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (n: string) => {
    const i = args.indexOf(n);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const keepAt = args.indexOf('--keep');
  const keep = keepAt >= 0;
  if (keep) args.splice(keepAt, 1);
  const timeoutMs = Number(flag('--timeout-min') ?? 90) * 60_000;
  if (args.length === 0) throw new Error('usage: npm run bench:corpus -- REPO… [--timeout-min 90] [--keep]');
  const work = path.resolve('bench/.work/corpus');
  const rows: Row[] = [];
  process.stderr.write(
    `${os.availableParallelism()} CPUs, ${mib(os.totalmem())} RAM, load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}\n`,
  );
  for (const repo of args) {
    rows.push(await one(path.resolve(repo), work, timeoutMs, keep));
    process.stderr.write(`${table(rows.slice(-1))}\n`);
  }
  console.log(table(rows));
  if (rows.some((r) => r.status !== 'ok' || !r.verify.startsWith('OK'))) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
