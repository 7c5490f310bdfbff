/**
 * Whole-build benchmark: each phase's time, MB/s of changed source, peak RSS, then a no-op rebuild.
 *
 *   npm run bench:pipeline -- [repo] [--max-commits N] [--keep-cache] [--no-workers] [--chunk-workers N] [--overlap]
 *
 * It runs the product as shipped: the bundled CLI (dist/cli.js, built by the npm script) in a child
 * process, `build <repo> --json`, and samples that process's resident memory (VmRSS, and VmHWM, its
 * high-water mark, from /proc: all its threads), so nothing of this script's own runtime is counted.
 * Default repo: this repository. Output and cache go to bench/.work/ (git-ignored). The first build
 * starts from an empty cache unless --keep-cache is given.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PipelineResult } from '../src/core/pipeline';
import { CLI, runChild } from './child';

interface Run {
  wall: number;
  peakRss: number;
  cpu: { user: number; sys: number } | null;
  /** The CLI's --json summary: the pipeline's result. */
  result: PipelineResult;
}

/** `node dist/cli.js build …args --json` (its errors on stderr); with `echo`, the process's RSS every 5 s. */
async function build(args: string[], echo: boolean): Promise<Run> {
  const r = await runChild(['build', ...args, '--json'], { echo, passStderr: true });
  if (r.code !== 0) throw new Error(`${CLI} build exited with code ${r.code}`);
  return { wall: r.wall, peakRss: r.peakRss, cpu: r.cpu, result: JSON.parse(r.stdout) as PipelineResult };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const take = (n: string) => {
    const i = args.indexOf(n);
    if (i >= 0) args.splice(i, 1);
    return i >= 0;
  };
  const flag = (n: string) => {
    const i = args.indexOf(n);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const overlap = take('--overlap');
  const keep = take('--keep-cache');
  const noWorkers = take('--no-workers');
  const maxCommits = flag('--max-commits');
  const chunkWorkers = flag('--chunk-workers');
  const repo = path.resolve(args[0] ?? '.');
  const work = path.resolve('bench/.work', `pipeline-${path.basename(repo === '/' ? 'root' : repo.replace(/\/(repo|\.git)$/, '')).replace(/[^\w.-]/g, '_')}`);
  const out = path.join(work, 'out');
  const cacheDir = path.join(work, 'cache');
  if (!keep) fs.rmSync(cacheDir, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const common = [repo, '--out', out, '--cache-dir', cacheDir, ...(maxCommits ? ['--max-commits', maxCommits] : [])];
  const opts = [...(overlap ? ['--overlap'] : []), ...(noWorkers ? ['--no-workers'] : []), ...(chunkWorkers ? ['--chunk-workers', chunkWorkers] : [])];

  const { wall, peakRss, cpu, result: r } = await build([...common, ...opts], true);
  const manifest = JSON.parse(fs.readFileSync(r.manifestPath, 'utf8'));
  const cs = JSON.parse(fs.readFileSync(path.join(out, 'chunking_stats.json'), 'utf8'));
  const mb = cs.changed_bytes / 1e6;
  console.log(
    `repo ${repo}, ${[noWorkers ? 'no worker threads' : 'worker threads', chunkWorkers ? `chunk workers ${chunkWorkers}` : '', overlap ? 'tokens overlapped with chunking' : ''].filter(Boolean).join(', ')}, ${os.availableParallelism()} CPUs, load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  console.log(`commits ${r.commits.total} (processed ${r.commits.processed}), files changed ${cs.files_changed}, changed text ${mb.toFixed(1)} MB, chunks ${r.chunks}, tokens ${r.tokens}`);
  console.log(`examples train ${r.examples.train} / val ${r.examples.val} / test ${r.examples.test}; duplicates exact ${r.duplicates.exact}, near ${JSON.stringify(r.duplicates.near)}`);
  console.log('phase       time (s)   MB/s (changed text)');
  for (const p of manifest.phases as Array<{ phase: string; duration_ms: number }>) {
    const s = p.duration_ms / 1000;
    console.log(`${p.phase.padEnd(10)} ${s.toFixed(2).padStart(9)}   ${s > 0 ? (mb / s).toFixed(1) : '-'}`);
  }
  // time covered by at least one phase (chunks and tokens overlap)
  const spans = (manifest.phases as Array<{ start: string; end: string }>).map((p) => [Date.parse(p.start), Date.parse(p.end)]).sort((a, b) => a[0] - b[0]);
  let phasesMs = 0;
  let reach = -Infinity;
  for (const [a, b] of spans) {
    phasesMs += Math.max(0, b - Math.max(a, reach));
    reach = Math.max(reach, b);
  }
  console.log(`other (process start, setup, stats, manifest) ${((wall - phasesMs) / 1000).toFixed(2)} s`);
  console.log(`wall ${(wall / 1000).toFixed(2)} s, ${(mb / (wall / 1000)).toFixed(1)} MB/s overall, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  if (cpu)
    console.log(
      `CPU user ${cpu.user.toFixed(1)} s + system ${cpu.sys.toFixed(1)} s = ${(cpu.user + cpu.sys).toFixed(1)} s: ${((cpu.user + cpu.sys) / (wall / 1000)).toFixed(2)} cores busy on average`,
    );
  const again = await build([...common, ...opts], false);
  console.log(`no-op rebuild ${(again.wall / 1000).toFixed(2)} s (up to date: ${again.result.upToDate}), peak RSS ${(again.peakRss / 2 ** 20).toFixed(0)} MiB`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
