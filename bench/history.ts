/**
 * History engine benchmark: `npm run bench:history -- [repo path] [--max N]`
 *
 * Without a path, generates (once) a synthetic repository of a few thousand commits of varied Rust
 * files into bench/.work/ with `git fast-import`. Then, in the same run:
 *   1. the engine: every commit (merges skipped) with the text of both sides of every changed file;
 *   2. the git CLI doing the same reading: `git log --raw --no-abbrev` + one `git cat-file --batch`
 *      for every blob that log names;
 * and prints commits/s, MB/s of blob text, peak RSS and the ratio engine/git.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openRepository } from '../src/core/git';

const args = process.argv.slice(2);
const maxIdx = args.indexOf('--max');
const maxCommits = maxIdx >= 0 ? Number(args[maxIdx + 1]) : undefined;
const repoArg = args.filter((a, i) => !a.startsWith('--') && (maxIdx < 0 || i !== maxIdx + 1))[0];

function git(cwd: string, ...a: string[]): string {
  const r = spawnSync('git', a, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${a.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

// ───────────── synthetic repository ─────────────

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'stream buffer poll ready waker task spawn handle io read write frame codec runtime driver timer sleep channel sender receiver permit semaphore notify mutex lock guard budget context future pin'.split(' ');

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

async function gitWorkload(dir: string, max?: number): Promise<{ ms: number; commits: number; blobs: number; bytes: number }> {
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
  return { ms: performance.now() - t0, commits, blobs: oids.size, bytes };
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
  console.log(`repository: ${dir}${maxCommits ? ` (newest ${maxCommits} commits)` : ''}`);

  // The machine may be shared: the git CLI runs before and after the engine, and the faster run counts.
  const g1 = await gitWorkload(dir, maxCommits);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const repo = await openRepository(dir);
  let commits = 0;
  let files = 0;
  for await (const rec of repo.history({ maxCommits, skipBots: false })) {
    commits++;
    files += rec.files.length;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const st = repo.stats();
  const rssMb = process.resourceUsage().maxRSS / 1024;
  repo.close();
  console.log(
    `engine : ${commits} commits, ${files} files, ${st.blobsRead} blobs read (${st.blobCacheHits} cache hits), ` +
      `${mb(st.textBytes)} MB text in ${(ms / 1000).toFixed(2)} s → ${(commits / (ms / 1000)).toFixed(0)} commits/s, ` +
      `${mb(st.textBytes / (ms / 1000))} MB/s text, peak RSS ${rssMb.toFixed(0)} MB, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s`,
  );
  const skips = Object.entries(st.skips).map(([k, v]) => `${k} ${v}`).join(', ');
  if (skips) console.log(`         skipped files: ${skips}`);

  const g2 = await gitWorkload(dir, maxCommits);
  const g = g1.ms <= g2.ms ? g1 : g2;
  console.log(
    `git CLI: ${g.commits} commits, ${g.blobs} blobs, ${mb(g.bytes)} MB via log --raw + cat-file --batch in ${(g.ms / 1000).toFixed(2)} s (best of 2) → ` +
      `${(g.commits / (g.ms / 1000)).toFixed(0)} commits/s`,
  );
  console.log(`ratio  : engine / git CLI = ${(ms / g.ms).toFixed(2)}×`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
