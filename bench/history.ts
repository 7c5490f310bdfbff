/**
 * History engine benchmark: `npm run bench:history -- [repo path] [--max N] [--runs N] [--tsx]`
 *
 * Without a path, generates (once) a synthetic repository of a few thousand commits of varied Rust
 * files into bench/.work/ with `git fast-import`. Then, in the same run:
 *   1. the engine: every commit (merges skipped) with the text of both sides of every changed file;
 *   2. the git CLI doing the same reading: `git log --raw --no-abbrev` + one `git cat-file --batch`
 *      for every blob that log names;
 * and prints commits/s, MB/s of blob text, peak RSS and the ratio engine/git by wall time and by CPU
 * time (user+sys; the git side is the CPU of its processes, read from /proc/self/stat). Both sides run
 * alternately `--runs` times (default 2) and the best run of each counts.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { openRepository, type HistoryStats } from '../src/core/git';
import { rng } from '../test/fixtures/rng';

const args = process.argv.slice(2);
const maxIdx = args.indexOf('--max');
const runsIdx = args.indexOf('--runs');
const maxCommits = maxIdx >= 0 ? Number(args[maxIdx + 1]) : undefined;
const runs = runsIdx >= 0 ? Math.max(1, Number(args[runsIdx + 1])) : 2;
const useTsx = args.includes('--tsx');
const repoArg = args.filter((a, i) => !a.startsWith('--') && a !== '--engine-child' && (maxIdx < 0 || i !== maxIdx + 1) && (runsIdx < 0 || i !== runsIdx + 1))[0];

function git(cwd: string, ...a: string[]): string {
  const r = spawnSync('git', a, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${a.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

// ───────────── synthetic repository ─────────────

const WORDS =
  'stream buffer poll ready waker task spawn handle io read write frame codec runtime driver timer sleep channel sender receiver permit semaphore notify mutex lock guard budget context future pin'.split(
    ' ',
  );

function synthItem(rand: () => number, i: number): string {
  const w = () => WORDS[Math.floor(rand() * WORDS.length)];
  const name = `${w()}_${w()}_${i}`;
  const kind = rand();
  if (kind < 0.5) {
    const lines = 3 + Math.floor(rand() * 25);
    let body = '';
    for (let l = 0; l < lines; l++) body += `    let ${w()}_${l} = ${w()}.${w()}(${Math.floor(rand() * 1000)})?;\n`;
    return `/// Does ${w()} with ${w()}.\npub fn ${name}(${w()}: &mut ${cap(w())}) -> io::Result<usize> {\n${body}    Ok(${lines})\n}\n`;
  }
  if (kind < 0.75) {
    const fields = 1 + Math.floor(rand() * 6);
    let body = '';
    for (let f = 0; f < fields; f++) body += `    ${w()}_${f}: ${cap(w())},\n`;
    return `#[derive(Debug, Clone)]\npub struct ${cap(name)} {\n${body}}\n`;
  }
  return `impl ${cap(w())} for ${cap(name)} {\n    fn ${w()}(&self) -> bool {\n        self.${w()}_0.is_${w()}()\n    }\n}\n`;
}

function cap(s: string): string {
  return s.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase());
}

function generate(dir: string, commits: number): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  const rand = rng(7);
  const files = new Map<string, string[]>(); // path → items
  const dirs = ['src', 'src/io', 'src/net/tcp', 'src/runtime/task', 'src/sync', 'src/time', 'benches', 'tests', 'examples', 'macros/src'];
  let serial = 0;
  const chunks: string[] = [];
  const emit = (s: string) => chunks.push(s);
  const data = (s: string) => emit(`data ${Buffer.byteLength(s)}\n${s}\n`);
  for (let c = 1; c <= commits; c++) {
    emit(`commit refs/heads/main\nmark :${c}\n`);
    const who = c % 97 === 0 ? 'dependabot[bot] <support@github.com>' : `Dev ${c % 13} <dev${c % 13}@example.com>`;
    emit(`author ${who} ${1500000000 + c * 3600} +0000\ncommitter ${who} ${1500000000 + c * 3600} +0000\n`);
    data(`change ${c}: ${WORDS[c % WORDS.length]} ${WORDS[(c * 7) % WORDS.length]}\n\nSynthetic commit body ${c}.\n`);
    if (c > 1) emit(`from :${c - 1}\n`);
    const ops = c === 1 ? 40 : 1 + Math.floor(rand() * 4);
    for (let k = 0; k < ops; k++) {
      const paths = [...files.keys()];
      const r = rand();
      if (r < 0.15 || paths.length < 20) {
        const p = `${dirs[Math.floor(rand() * dirs.length)]}/${WORDS[Math.floor(rand() * WORDS.length)]}_${serial++}.rs`;
        const items = Array.from({ length: 2 + Math.floor(rand() * 20) }, () => synthItem(rand, serial++));
        files.set(p, items);
        emit(`M 100644 inline ${p}\n`);
        data(`use std::io;\n\n${items.join('\n')}`);
      } else if (r < 0.9) {
        const p = paths[Math.floor(rand() * paths.length)];
        const items = files.get(p)!;
        const i = Math.floor(rand() * items.length);
        if (rand() < 0.7) items[i] = synthItem(rand, serial++);
        else items.splice(i, 0, synthItem(rand, serial++));
        emit(`M 100644 inline ${p}\n`);
        data(`use std::io;\n\n${items.join('\n')}`);
      } else if (r < 0.95) {
        const p = paths[Math.floor(rand() * paths.length)];
        const to = `${dirs[Math.floor(rand() * dirs.length)]}/moved_${serial++}.rs`;
        files.set(to, files.get(p)!);
        files.delete(p);
        emit(`R ${p} ${to}\n`);
      } else {
        const p = paths[Math.floor(rand() * paths.length)];
        files.delete(p);
        emit(`D ${p}\n`);
      }
    }
    emit('\n');
  }
  const r = spawnSync('git', ['fast-import', '--quiet'], { cwd: dir, input: chunks.join(''), maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git fast-import failed: ${r.stderr}`);
  git(dir, 'repack', '-a', '-d', '-q');
  git(dir, 'reset', '-q', '--hard', 'main');
}

// ───────────── git CLI workload ─────────────

/** CPU seconds (user+sys) of the children this process has waited for (Linux /proc), or NaN. */
function childCpuSeconds(): number {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields 16 and 17 (cutime, cstime) counted from 1; f[0] is field 3
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return NaN;
  }
}

interface Run {
  ms: number;
  cpu: number;
}

async function gitWorkload(dir: string, max?: number): Promise<Run & { commits: number; blobs: number; bytes: number }> {
  const c0 = childCpuSeconds();
  const t0 = performance.now();
  const logArgs = ['log', '--raw', '--no-abbrev', '--no-merges', '--format=%x01%H'];
  if (max !== undefined) logArgs.push(`-n${max}`);
  const log = git(dir, ...logArgs);
  const oids = new Set<string>();
  let commits = 0;
  for (const line of log.split('\n')) {
    if (line.startsWith('\x01')) commits++;
    else if (line.startsWith(':')) {
      const [oldMode, newMode, a, b] = line.slice(1).split(' ');
      if (oldMode !== '160000' && !/^0+$/.test(a)) oids.add(a);
      if (newMode !== '160000' && !/^0+$/.test(b)) oids.add(b);
    }
  }
  const bytes = await new Promise<number>((resolve, reject) => {
    const p = spawn('git', ['cat-file', '--batch'], { cwd: dir, stdio: ['pipe', 'pipe', 'inherit'] });
    let total = 0;
    p.stdout.on('data', (d: Buffer) => (total += d.length));
    p.on('error', reject);
    p.on('close', () => resolve(total));
    p.stdin.end([...oids].join('\n') + '\n');
  });
  // git's own CPU (children), not this script's parsing of the log
  return { ms: performance.now() - t0, cpu: childCpuSeconds() - c0, commits, blobs: oids.size, bytes };
}

interface EngineRun extends Run {
  commits: number;
  files: number;
  rssMb: number;
  stats: HistoryStats;
}

/** One engine run in this process (used by the child process of `engineWorkload`). */
async function engineRun(dir: string, max?: number): Promise<EngineRun> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const repo = await openRepository(dir);
  let commits = 0;
  let files = 0;
  for await (const rec of repo.history({ maxCommits: max, skipBots: false })) {
    commits++;
    files += rec.files.length;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const stats = repo.stats();
  repo.close();
  return { ms, cpu: (cpu.user + cpu.system) / 1e6, commits, files, stats, rssMb: process.resourceUsage().maxRSS / 1024 };
}

/**
 * Each engine run in a fresh process, so its peak RSS is its own (not the garbage of earlier runs).
 * The child runs this script bundled by esbuild, the way the CLI and the extension ship the engine
 * (no TypeScript loader in the process); with `--tsx` it runs under tsx instead.
 */
function engineWorkload(dir: string, max?: number): EngineRun {
  const a = useTsx ? [...process.execArgv, __filename] : [bundled()];
  a.push('--engine-child', dir);
  if (max !== undefined) a.push('--max', String(max));
  const r = spawnSync(process.execPath, a, { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`engine run failed (exit ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as EngineRun;
}

let bundlePath: string | null = null;
function bundled(): string {
  if (!bundlePath) {
    bundlePath = path.join(__dirname, '.work', 'history-bench.cjs');
    fs.mkdirSync(path.dirname(bundlePath), { recursive: true });
    buildSync({ entryPoints: [__filename], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: bundlePath, external: ['esbuild'], logLevel: 'warning' });
  }
  return bundlePath;
}

// ───────────── main ─────────────

async function main(): Promise<void> {
  let dir = repoArg;
  if (!dir) {
    dir = path.join(__dirname, '.work', 'synthetic-rust');
    const commits = 3000;
    const stamp = path.join(dir, '.bench-commits');
    if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== String(commits)) {
      const t = performance.now();
      generate(dir, commits);
      fs.writeFileSync(stamp, String(commits));
      console.log(`generated ${dir} (${commits} commits) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
  }
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const s = (x: Run) => `${(x.ms / 1000).toFixed(2)} s wall, ${x.cpu.toFixed(2)} s CPU`;
  console.log(`repository: ${dir}${maxCommits ? ` (newest ${maxCommits} commits)` : ''}, ${runs} runs each, engine ${useTsx ? 'under tsx' : 'bundled by esbuild'}, ` + `load average ${loadavg()}`);

  // The machine may be shared: both sides run alternately several times, and each side's best run counts.
  const gs: Awaited<ReturnType<typeof gitWorkload>>[] = [];
  const es: EngineRun[] = [];
  for (let i = 0; i < runs; i++) {
    gs.push(await gitWorkload(dir, maxCommits));
    es.push(engineWorkload(dir, maxCommits));
    console.log(`run ${i + 1}: engine ${s(es[i])}, peak RSS ${es[i].rssMb.toFixed(0)} MB | git CLI ${s(gs[i])}`);
  }
  const rssMb = Math.max(...es.map((x) => x.rssMb));
  const e = es.reduce((a, b) => (b.ms < a.ms ? b : a));
  const eCpu = Math.min(...es.map((x) => x.cpu));
  const g = gs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const gCpu = Math.min(...gs.map((x) => x.cpu));
  const st = e.stats;
  console.log(
    `engine : ${e.commits} commits, ${e.files} files, ${st.blobsRead} blobs read (${st.blobCacheHits} cache hits), ` +
      `${mb(st.textBytes)} MB text; best ${(e.ms / 1000).toFixed(2)} s → ${(e.commits / (e.ms / 1000)).toFixed(0)} commits/s, ` +
      `${mb(st.textBytes / (e.ms / 1000))} MB/s text; best CPU ${eCpu.toFixed(2)} s; peak RSS ${rssMb.toFixed(0)} MB`,
  );
  const skips = Object.entries(st.skips)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  if (skips) console.log(`         skipped files: ${skips}`);
  console.log(
    `git CLI: ${g.commits} commits, ${g.blobs} blobs, ${mb(g.bytes)} MB via log --raw + cat-file --batch; best ${(g.ms / 1000).toFixed(2)} s → ` +
      `${(g.commits / (g.ms / 1000)).toFixed(0)} commits/s; best CPU ${gCpu.toFixed(2)} s`,
  );
  console.log(`ratio  : engine / git CLI = ${(e.ms / g.ms).toFixed(2)}× wall, ${(eCpu / gCpu).toFixed(2)}× CPU (user+sys)`);
}

function loadavg(): string {
  return os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
}

const child = args.includes('--engine-child');
(child ? engineRun(repoArg, maxCommits).then((r) => console.log(JSON.stringify(r))) : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
