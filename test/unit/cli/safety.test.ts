/**
 * The CLI on bad input and damaged state, as a user meets them: a precious --out, absurd numbers, a file that is
 * not a tokenizer, damaged cache entries, a deleted output file, a missing repository for verify, an unwritable
 * cache, names with terminal escapes. Each case was seen to destroy data, hang or report success before.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { createProgress } from '../../../src/cli/progress';
import { runCli } from '../../../src/cli/run';
import { fsProblem, isFsError } from '../../../src/core/errors';
import { FixtureRepo } from '../../fixtures/repo';
import { makeFixture } from '../pipeline/fixture';

let repo: FixtureRepo;
let tmp: string;
let good: string;

const run = async (args: string[]) => {
  const o = { out: '', err: '' };
  const code = await runCli(args, { stdout: { write: (s: string) => (o.out += s) }, stderr: { write: (s: string) => (o.err += s) } }, { handleSigint: false });
  return { code, ...o };
};
const SMALL = ['--context-window', '256', '--target-window', '32'];

/** Every file under `dir` with its bytes (to show nothing was touched). */
function snapshot(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p, `${rel}${e.name}/`);
      else m.set(`${rel}${e.name}`, fs.readFileSync(p).toString('base64'));
    }
  };
  walk(dir, '');
  return m;
}

before(async () => {
  repo = makeFixture();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-safety-'));
  good = path.join(tmp, 'good');
  const r = await run(['build', repo.dir, '--out', good, ...SMALL]);
  assert.equal(r.code, 0, r.err);
});
after(() => {
  repo?.dispose();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('--out never replaces what this tool did not write: a file, a foreign folder, the repository or a folder holding it, the git folder', async () => {
  const file = path.join(tmp, 'notes.txt');
  fs.writeFileSync(file, 'my notes');
  const foreign = path.join(tmp, 'mine');
  fs.mkdirSync(foreign);
  fs.writeFileSync(path.join(foreign, 'thesis.tex'), 'years of work');
  // a copy of the repository built into itself (seen: `build victim --out victim` deleted it)
  const victim = path.join(tmp, 'victim');
  fs.cpSync(repo.dir, victim, { recursive: true });
  const before = snapshot(victim);
  const link = path.join(tmp, 'link');
  fs.symlinkSync(foreign, link);
  const cases: Array<[string, string[], RegExp]> = [
    ['an existing file', ['build', repo.dir, '--out', file], /exists and is not a folder/],
    ['a folder of the user', ['build', repo.dir, '--out', foreign], /not a dataset written by Commit Corpus/],
    ['the repository', ['build', victim, '--out', victim], /is the repository/],
    ['a folder holding the repository', ['build', victim, '--out', tmp], /contains the repository/],
    ['the git folder', ['build', victim, '--out', path.join(victim, '.git')], /contains the git folder|is the git folder/],
    ['a folder inside the git folder', ['build', victim, '--out', path.join(victim, '.git', 'out')], /inside the git folder/],
    ['the cache', ['build', victim, '--out', path.join(victim, '.commit-corpus')], /is the cache/],
    ['a symbolic link', ['build', repo.dir, '--out', link], /symbolic link/],
    ['a path through a file', ['build', repo.dir, '--out', path.join(file, 'out')], /is a file, not a folder/],
  ];
  for (const [what, args, message] of cases) {
    const r = await run([...args, ...SMALL]);
    assert.equal(r.code, 2, `${what}: exit 2, got ${r.code} (${r.err})`);
    assert.match(r.err, message, what);
    assert.equal(r.err.trim().split('\n').length, 2, `${what}: one sentence and the usage hint: ${r.err}`);
  }
  assert.equal(fs.readFileSync(file, 'utf8'), 'my notes');
  assert.deepEqual(fs.readdirSync(foreign), ['thesis.tex']);
  assert.deepEqual(snapshot(victim), before, 'the repository is untouched');
  assert.equal(execFileSync('git', ['-C', victim, 'status', '--porcelain'], { encoding: 'utf8' }), '', 'still a clean git repository');
  assert.ok(!fs.readdirSync(tmp).some((n) => n.includes('.tmp-')), 'no temp folder left');
});

test('--out replaces an empty folder or a dataset it wrote, but not once a foreign file was added to it', async () => {
  const empty = path.join(tmp, 'empty');
  fs.mkdirSync(empty);
  assert.equal((await run(['build', repo.dir, '--out', empty, ...SMALL])).code, 0);
  assert.ok(fs.existsSync(path.join(empty, 'manifest.json')));
  const again = await run(['build', repo.dir, '--out', empty, '--format', 'plain', ...SMALL]);
  assert.equal(again.code, 0, again.err);
  fs.writeFileSync(path.join(empty, 'dataset', 'my-analysis.ipynb'), '{}');
  const r = await run(['build', repo.dir, '--out', empty, '--format', 'starcoder', ...SMALL]);
  assert.equal(r.code, 2);
  assert.match(r.err, /holds a file that Commit Corpus did not write \(dataset\/my-analysis\.ipynb\)/);
  assert.ok(fs.existsSync(path.join(empty, 'dataset', 'my-analysis.ipynb')));
});

test('numbers out of range are bad usage with the allowed range (exit 2), before any work', async () => {
  for (const [args, message] of [
    [['--context-window', '20000000'], /contextWindow \(--context-window\) must be an integer from 64 to 32768; got 20000000/],
    [['--target-window', '0'], /targetWindow \(--target-window\) must be an integer from 16 to 8192/],
    [['--max-commits', '0'], /maxCommits \(--max-commits\) must be an integer from 1/],
    [['--chunk-workers', '1000'], /--chunk-workers must be from 0 to 64/],
    [['--file-timeout', '0'], /fileTimeout \(--file-timeout\) must be a number from 0.1 to 3600/],
    [['--context-window', '99999999999999999999'], /expects a whole number/],
  ] as Array<[string[], RegExp]>) {
    const r = await run(['build', repo.dir, '--out', path.join(tmp, 'never'), ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
    assert.doesNotMatch(r.err, /RangeError|at .*\.ts:\d+/);
  }
  assert.ok(!fs.existsSync(path.join(tmp, 'never')));
});

test('a tokenizer file is checked before it is parsed: /dev/zero, a huge file, JSON of another shape', async () => {
  const huge = path.join(tmp, 'huge.json');
  fs.writeFileSync(huge, '{');
  fs.truncateSync(huge, 70 << 20); // sparse: 70 MiB that are never read
  const array = path.join(tmp, 'array.json');
  fs.writeFileSync(array, '[1, 2, 3]');
  const other = path.join(tmp, 'package.json');
  fs.writeFileSync(other, '{"name": "x", "version": "1.0.0"}');
  const bad = path.join(tmp, 'bad.json');
  fs.writeFileSync(bad, '{"model": {"type": "BPE", "vocab": 7, "merges": "x"}}');
  for (const [file, message] of [
    ['/dev/zero', /is not a regular file/],
    [huge, /is 70 MiB; a tokenizer.json of at most 64 MiB/],
    [array, /does not start with a JSON object/],
    [other, /no "model" section/],
    [bad, /is not a usable Hugging Face tokenizer.json|invalid merge|unsupported/],
  ] as Array<[string, RegExp]>) {
    const t0 = Date.now();
    const r = await run(['build', repo.dir, '--out', path.join(tmp, 'tok-out'), '--no-cache', '--tokenizer', file, ...SMALL]);
    assert.equal(r.code, 2, `${file}: ${r.err}`);
    assert.match(r.err, message, file);
    assert.ok(Date.now() - t0 < 20_000, `${file} answered at once`);
  }
});

test('damaged cache entries are recomputed, never trusted; a changed or deleted output file means a rebuild', async () => {
  const out = path.join(tmp, 'cached');
  const cacheDir = path.join(tmp, 'cache-damaged');
  assert.equal((await run(['build', repo.dir, '--out', out, '--cache-dir', cacheDir, ...SMALL])).code, 0);
  const reference = snapshot(out);
  reference.delete('manifest.json');
  // truncate one chunk entry, flip a byte in another, make a third some other commit's, garble a token entry
  const chunkNs = fs.readdirSync(path.join(cacheDir, 'cache')).find((n) => n.startsWith('chunks-'))!;
  const tokNs = fs.readdirSync(path.join(cacheDir, 'cache')).find((n) => n.startsWith('tokens-'))!;
  const entries = fs
    .readdirSync(path.join(cacheDir, 'cache', chunkNs))
    .sort()
    .map((n) => path.join(cacheDir, 'cache', chunkNs, n));
  fs.truncateSync(entries[0], Math.floor(fs.statSync(entries[0]).size / 2));
  const b = fs.readFileSync(entries[1]);
  b[b.length - 10] ^= 0x20;
  fs.writeFileSync(entries[1], b);
  fs.copyFileSync(entries[3], entries[2]);
  const tok = fs.readdirSync(path.join(cacheDir, 'cache', tokNs)).map((n) => path.join(cacheDir, 'cache', tokNs, n))[0];
  fs.writeFileSync(tok, Buffer.alloc(64, 7));
  fs.rmSync(path.join(out, 'dataset', 'train.parquet'));
  const r = await run(['build', repo.dir, '--out', out, '--cache-dir', cacheDir, '--json', ...SMALL]);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out).upToDate, false, 'a deleted output file is not "up to date"');
  const rebuilt = snapshot(out);
  rebuilt.delete('manifest.json');
  assert.deepEqual(rebuilt, reference, 'the same bytes as the build before the damage');
  // a changed byte in an output file is noticed too
  const jl = path.join(out, 'commits.jsonl');
  const c = fs.readFileSync(jl);
  c[5] ^= 0x01;
  fs.writeFileSync(jl, c);
  const r2 = await run(['build', repo.dir, '--out', out, '--cache-dir', cacheDir, '--json', ...SMALL]);
  assert.equal(JSON.parse(r2.out).upToDate, false);
  assert.equal(JSON.parse((await run(['build', repo.dir, '--out', out, '--cache-dir', cacheDir, '--json', ...SMALL])).out).upToDate, true);
});

test('an unwritable cache is a warning, not a failure after the dataset was written', async () => {
  const blocker = path.join(tmp, 'blocker');
  fs.writeFileSync(blocker, 'a file where the cache folder would go');
  const out = path.join(tmp, 'nocache-out');
  const r = await run(['build', repo.dir, '--out', out, '--cache-dir', path.join(blocker, 'cache'), ...SMALL]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /cache: .* is a file, not a folder; this run goes on without writing the cache/);
  assert.ok(fs.existsSync(path.join(out, 'manifest.json')));
});

test('verify fails when the repository is missing, and passes with --no-repo', async () => {
  const r = await run(['verify', good, '--repo', path.join(tmp, 'nonexistent')]);
  assert.equal(r.code, 1);
  assert.match(r.out, /repository: .*nonexistent does not exist/);
  const moved = path.join(tmp, 'moved');
  fs.cpSync(good, moved, { recursive: true });
  const mf = JSON.parse(fs.readFileSync(path.join(moved, 'manifest.json'), 'utf8'));
  assert.ok(mf.repository?.path, 'the manifest names its repository');
  assert.equal((await run(['verify', moved, '--no-repo'])).code, 0);
  assert.equal((await run(['verify', moved])).code, 0, 'the repository named by the manifest is found');
});

test('file names and messages from the repository reach the terminal escaped', async () => {
  const r = FixtureRepo.create('cc-escape-');
  try {
    r.write('src/\x1b[31mred\x1b[0m.rs', 'pub fn red() -> u32 { 1 }\n');
    r.write('src/lib.rs', 'pub fn a() -> u32 { 1 }\n');
    r.commit('Add \x1b]0;pwned\x07 files\r\n\nbody\x1b[2J');
    r.write('src/\x1b[31mred\x1b[0m.rs', 'pub fn red() -> u32 { 2 }\n');
    r.commit('Change red');
    const out = path.join(tmp, 'escape-out');
    const b = await run(['build', r.dir, '--out', out, '--no-cache', ...SMALL]);
    assert.equal(b.code, 0, b.err);
    // verify names chunk files in its problems: make one fail
    const chunks = fs
      .readFileSync(path.join(out, 'chunks.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    assert.ok(
      chunks.some((c) => c.path.includes('\x1b[31m')),
      'the dataset keeps the real name',
    );
    const v = await run(['verify', out, '--repo', path.join(tmp, 'nonexistent')]);
    const i = await run(['inspect', out]);
    for (const text of [b.out, b.err, v.out, v.err, i.out, i.err]) {
      assert.ok(!text.includes('\x1b') && !text.includes('\x07'), 'no escape character reaches the terminal');
      assert.doesNotMatch(text, /\r/, 'no carriage return either');
    }
  } finally {
    r.dispose();
  }
});

test('progress on a non-terminal: a line at every phase change and at least every 10 s, with rate and a sane ETA', async () => {
  let now = 0;
  const lines: string[] = [];
  const p = createProgress({ write: (s: string) => lines.push(s) }, () => now);
  p.onProgress({ phase: 'chunks', done: 0, total: 24232 });
  now = 100;
  p.onProgress({ phase: 'chunks', done: 1, total: 24232 });
  assert.equal(lines.length, 1, 'the phase change only');
  assert.doesNotMatch(lines[0], /ETA/, 'no ETA from nothing');
  now = 12_000; // no event for 12 s (a slow commit): the heartbeat speaks anyway
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal(lines.length, 2, lines.join(''));
  assert.match(lines[1], /^chunks: 1\/24232 \(0%\) · 0\.1\/s · ETA .* · 12s in this phase\n$/);
  now = 14_000;
  p.onProgress({ phase: 'tokens', done: 0, total: 100 });
  assert.match(lines[2], /^tokens: 0\/100 \(0%\)\n$/);
  now = 20_000;
  p.onProgress({ phase: 'tokens', done: 50, total: 100 });
  assert.equal(lines.length, 3, 'throttled within 10 s');
  now = 25_000;
  p.onProgress({ phase: 'tokens', done: 100, total: 100 });
  assert.match(lines[3], /^tokens: 100\/100 \(100%\) · 9\.1\/s\n$/);
  p.done();
});

test('a missing or corrupt object fails the build naming the object and the path; --allow-missing-objects skips and counts it', async () => {
  const r = FixtureRepo.create('cc-damage-');
  try {
    r.write('src/lib.rs', 'pub fn a() -> u32 { 1 }\n');
    r.write('src/gone.rs', 'pub fn gone() -> u32 { 1 }\n');
    r.commit('Start');
    r.write('src/lib.rs', 'pub fn a() -> u32 { 2 }\n');
    r.write('src/gone.rs', 'pub fn gone() -> u32 { 2 }\n');
    r.commit('Change both');
    const oid = r.git('rev-parse', 'HEAD:src/gone.rs').trim();
    const loose = path.join(r.dir, '.git', 'objects', oid.slice(0, 2), oid.slice(2));
    fs.chmodSync(loose, 0o644);
    // corrupt: another blob's bytes under this id
    const other = r.git('rev-parse', 'HEAD:src/lib.rs').trim();
    fs.copyFileSync(path.join(r.dir, '.git', 'objects', other.slice(0, 2), other.slice(2)), loose);
    const out = path.join(tmp, 'damage-out');
    const bad = await run(['build', r.dir, '--out', out, '--no-cache', ...SMALL]);
    assert.equal(bad.code, 1, bad.err);
    assert.match(bad.err, new RegExp(`Object ${oid} \\(blob of src/gone\\.rs at commit [0-9a-f]{12}\\) is (corrupt|missing)`));
    assert.ok(!fs.existsSync(out));
    fs.rmSync(loose);
    const missing = await run(['build', r.dir, '--out', out, '--no-cache', ...SMALL]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /is missing from the repository; run "git fsck" \(or pass --allow-missing-objects/);
    const ok = await run(['build', r.dir, '--out', out, '--no-cache', '--allow-missing-objects', ...SMALL]);
    assert.equal(ok.code, 0, ok.err);
    const stats = JSON.parse(fs.readFileSync(path.join(out, 'chunking_stats.json'), 'utf8'));
    assert.equal(stats.skips['missing-object'], 1);
  } finally {
    r.dispose();
  }
});

test('a linked worktree builds (its own branch), and its common git folder is protected like its own', async () => {
  const wt = path.join(tmp, 'wt');
  repo.git('worktree', 'add', '-q', '-b', 'side', wt);
  try {
    fs.writeFileSync(path.join(wt, 'src', 'side.rs'), 'pub fn side() -> u32 { 7 }\n');
    execFileSync('git', ['-C', wt, 'add', '-A'], { encoding: 'utf8' });
    execFileSync('git', ['-C', wt, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'Side work'], { encoding: 'utf8' });
    const out = path.join(tmp, 'wt-out');
    const r = await run(['build', wt, '--out', out, '--no-cache', '--json', ...SMALL]);
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).commits.total, 13, 'the main branch and the worktree commit');
    const chunks = fs.readFileSync(path.join(out, 'chunks.jsonl'), 'utf8');
    assert.ok(chunks.includes('src/side.rs'));
    const inCommon = await run(['build', wt, '--out', path.join(repo.dir, '.git', 'wt-out'), ...SMALL]);
    assert.equal(inCommon.code, 2);
    assert.match(inCommon.err, /inside the git folder/);
  } finally {
    repo.git('worktree', 'remove', '--force', wt);
  }
});

test('file-system refusals are one sentence saying what is wrong (read-only, permission, full disk)', () => {
  const e = (code: string) => Object.assign(new Error(`${code}: raw`), { code, syscall: 'mkdir' });
  assert.equal(fsProblem(e('EROFS'), '/mnt/ro/out'), '/mnt/ro/out is on a read-only file system');
  assert.equal(fsProblem(e('EACCES'), '/x'), '/x is not writable (permission denied)');
  assert.equal(fsProblem(e('ENOSPC'), '/x'), 'the disk holding /x is full');
  assert.ok(isFsError(e('EROFS')) && !isFsError(new TypeError('x')));
});

test('an output folder inside the repository is ignored by git from its start (its own .gitignore); one outside gets none; an edited .gitignore is not ours', async () => {
  const inside = path.join(repo.dir, 'corpus-out');
  const r = await run(['build', repo.dir, '--out', inside, '--no-cache', ...SMALL]);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    fs
      .readFileSync(path.join(inside, '.gitignore'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))[0],
    '*',
  );
  const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: repo.dir, encoding: 'utf8' });
  assert.equal(status, '', 'git sees nothing of the dataset');
  const manifest = JSON.parse(fs.readFileSync(path.join(inside, 'manifest.json'), 'utf8')) as { files: Array<{ path: string }> };
  assert.ok(!manifest.files.some((f) => f.path === '.gitignore'), 'the data files are the same wherever the folder is');
  assert.equal((await run(['verify', inside, '--repo', repo.dir])).code, 0);
  // the same build again replaces the folder (the .gitignore is the tool's own file)
  assert.equal((await run(['build', repo.dir, '--out', inside, '--no-cache', '--max-commits', '2', ...SMALL])).code, 0);
  assert.ok(!fs.existsSync(path.join(good, '.gitignore')), 'outside the repository: no .gitignore');
  // a .gitignore the user changed is theirs: the folder is not replaced
  fs.appendFileSync(path.join(inside, '.gitignore'), '!keep.me\n');
  const again = await run(['build', repo.dir, '--out', inside, '--no-cache', ...SMALL]);
  assert.equal(again.code, 2, again.err);
  assert.match(again.err, /did not write \(\.gitignore\)/);
  fs.rmSync(inside, { recursive: true, force: true });
});
