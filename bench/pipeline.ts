/**
 * Whole-build benchmark: each phase's time, MB/s of changed source, peak RSS, then a no-op rebuild.
 *
 *   npm run bench:pipeline -- [repo] [--max-commits N] [--keep-cache] [--workers N (token worker threads, 0 = none)] [--chunk-workers N] [--overlap]
 *
 * Default repo: this repository. Output and cache go to bench/.work/ (git-ignored). The first build
 * starts from an empty cache unless --keep-cache is given.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPipelineInThread } from '../src/core/pipeline';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (n: string) => {
    const i = args.indexOf(n);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const overlap = args.includes('--overlap');
  if (overlap) args.splice(args.indexOf('--overlap'), 1);
  const keep = args.includes('--keep-cache');
  if (keep) args.splice(args.indexOf('--keep-cache'), 1);
  const maxCommits = flag('--max-commits');
  const workersArg = flag('--workers');
  const chunkThreads = Number(flag('--chunk-workers') ?? 1); // the CLI default
  const workers = workersArg !== undefined ? Number(workersArg) : Math.min(4, os.availableParallelism());
  // the CLI's setup: the pipeline on a thread of its own, which also serves as the token and chunk threads' script
  const script = path.resolve(__dirname, '../src/core/pipeline/tokenWorkerEntry.ts');
  const tokenWorkers = workers > 0 ? { script, count: workers } : undefined;
  const repo = path.resolve(args[0] ?? '.');
  const work = path.resolve('bench/.work', `pipeline-${path.basename(repo === '/' ? 'root' : repo.replace(/\/(repo|\.git)$/, '')).replace(/[^\w.-]/g, '_')}`);
  const out = path.join(work, 'out');
  const cacheDir = path.join(work, 'cache');
  if (!keep) fs.rmSync(cacheDir, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });

  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const timer = setInterval(sample, 100);
  const t0 = performance.now();
  const r = await runPipelineInThread(
    script,
    { repo, out, cacheDir, maxCommits: maxCommits ? Number(maxCommits) : undefined },
    {
      tokenWorkers,
      chunkThreads,
      overlapChunks: overlap,
      log: (l) => process.stderr.write(`  ${l}\n`),
      onProgress: (() => {
        let last = 0;
        return (e) => {
          const now = performance.now();
          if (now - last > 5000) {
            last = now;
            // the whole process (every thread)
            process.stderr.write(`  ${e.phase} ${e.done}/${e.total ?? '?'} (${((now - t0) / 1000).toFixed(1)} s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB)\n`);
          }
        };
      })(),
    },
  );
  const wall = performance.now() - t0;
  clearInterval(timer);
  sample();
  const maxRss = Math.max(peak, process.resourceUsage().maxRSS * 1024);
  const manifest = JSON.parse(fs.readFileSync(r.manifestPath, 'utf8'));
  const cs = JSON.parse(fs.readFileSync(path.join(out, 'chunking_stats.json'), 'utf8'));
  const mb = cs.changed_bytes / 1e6;
  console.log(`repo ${repo}, token workers ${workers}, chunk workers ${chunkThreads}${overlap ? ' (overlapped with tokens)' : ''}, ${os.availableParallelism()} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`commits ${r.commits.total} (processed ${r.commits.processed}), files changed ${cs.files_changed}, changed text ${mb.toFixed(1)} MB, chunks ${r.chunks}, tokens ${r.tokens}`);
  console.log(`examples train ${r.examples.train} / val ${r.examples.val} / test ${r.examples.test}; duplicates exact ${r.duplicates.exact}, near ${JSON.stringify(r.duplicates.near)}`);
  console.log('phase       time (s)   MB/s (changed text)');
  for (const p of manifest.phases as Array<{ phase: string; duration_ms: number }>) {
    const s = p.duration_ms / 1000;
    console.log(`${p.phase.padEnd(10)} ${s.toFixed(2).padStart(9)}   ${s > 0 ? (mb / s).toFixed(1) : '-'}`);
  }
  // time covered by at least one phase (chunks and tokens overlap with --overlap)
  const spans = (manifest.phases as Array<{ start: string; end: string }>).map((p) => [Date.parse(p.start), Date.parse(p.end)]).sort((a, b) => a[0] - b[0]);
  let phasesMs = 0;
  let reach = -Infinity;
  for (const [a, b] of spans) {
    phasesMs += Math.max(0, b - Math.max(a, reach));
    reach = Math.max(reach, b);
  }
  console.log(`other (setup: tokenizer + grammars load, redaction, stats, manifest) ${((wall - phasesMs) / 1000).toFixed(2)} s`);
  console.log(`wall ${(wall / 1000).toFixed(2)} s, ${(mb / (wall / 1000)).toFixed(1)} MB/s overall, peak RSS ${(maxRss / 2 ** 20).toFixed(0)} MiB`);
  const t1 = performance.now();
  const again = await runPipelineInThread(script, { repo, out, cacheDir, maxCommits: maxCommits ? Number(maxCommits) : undefined });
  console.log(`no-op rebuild ${((performance.now() - t1) / 1000).toFixed(2)} s (up to date: ${again.upToDate})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
