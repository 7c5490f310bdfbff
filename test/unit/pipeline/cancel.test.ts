/**
 * Cancel in every phase, through the CLI's own path (runCli → pipeline thread), with the pipeline thread stuck in
 * a synchronous loop at the start of that phase (stallThread.ts): the CLI answers within about a second with exit
 * 130, the previous output is byte for byte what it was, and no temp folder is left. A second interrupt stops at once.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../../src/cli/run';
import type { FixtureRepo } from '../../fixtures/repo';
import { makeFixture } from './fixture';

const STALL = path.join(__dirname, 'stallThread.ts');
const SMALL = ['--context-window', '256', '--target-window', '32'];
let repo: FixtureRepo;
let tmp: string;
let out: string;
let previous: Map<string, string>;

function snapshot(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) {
      const p = path.join(e.parentPath, e.name);
      m.set(path.relative(dir, p), fs.readFileSync(p).toString('base64'));
    }
  }
  return m;
}

/** Runs a build that stalls at `phase`, interrupts it when that phase starts; `force` interrupts twice. */
async function interrupted(phase: string, force = false): Promise<{ code: number; ms: number; err: string }> {
  process.env.CC_TEST_STALL_PHASE = phase;
  const ac = new AbortController();
  const hard = new AbortController();
  let t0 = 0;
  let err = '';
  const stderr = {
    write: (s: string) => {
      err += s;
      if (!t0 && s.startsWith(`${phase}:`)) {
        t0 = performance.now();
        ac.abort();
        if (force) hard.abort();
      }
    },
  };
  try {
    // a fresh cache each time: every phase runs (chunks on a chunk thread, tokens on token threads)
    const cache = fs.mkdtempSync(path.join(tmp, 'cache-'));
    const code = await runCli(
      ['build', repo.dir, '--out', out, '--cache-dir', cache, '--format', 'plain', ...SMALL],
      { stdout: { write: () => true }, stderr },
      { handleSigint: false, signal: ac.signal, force: hard.signal, workerScript: STALL },
    );
    return { code, ms: t0 ? performance.now() - t0 : -1, err };
  } finally {
    delete process.env.CC_TEST_STALL_PHASE;
  }
}

before(async () => {
  repo = makeFixture();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-cancel-'));
  out = path.join(tmp, 'out');
  const code = await runCli(['build', repo.dir, '--out', out, '--no-cache', ...SMALL], { stdout: { write: () => true }, stderr: { write: () => true } }, { handleSigint: false });
  assert.equal(code, 0);
  previous = snapshot(out);
});
after(() => {
  repo?.dispose();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

for (const phase of ['history', 'chunks', 'tokens', 'examples', 'write']) {
  test(`cancel while the pipeline thread is stuck in the ${phase} phase: exit 130 within a second, previous output intact, no temp folder`, async () => {
    const r = await interrupted(phase);
    assert.ok(r.ms >= 0, `the ${phase} phase started: ${r.err}`);
    assert.equal(r.code, 130, r.err);
    assert.match(r.err, /interrupted, nothing written/);
    // 0.7 s of grace, then the thread is terminated; the margin is for a loaded test machine
    assert.ok(r.ms < 2500, `answered in ${Math.round(r.ms)} ms`);
    assert.deepEqual(snapshot(out), previous, 'the previous output is untouched');
    assert.deepEqual(
      fs.readdirSync(tmp).filter((n) => n.includes('.tmp-')),
      [],
      'no temp folder',
    );
  });
}

test('a second interrupt stops at once, also while writing; nothing is left', async () => {
  const r = await interrupted('write', true);
  assert.equal(r.code, 130, r.err);
  assert.ok(r.ms < 1500, `answered in ${Math.round(r.ms)} ms`);
  assert.deepEqual(snapshot(out), previous);
  assert.deepEqual(
    fs.readdirSync(tmp).filter((n) => n.includes('.tmp-')),
    [],
  );
});

test('a cancel that comes while nothing is stuck is answered by the thread itself; then a build goes through', async () => {
  const ac = new AbortController();
  let err = '';
  const code = await runCli(
    ['build', repo.dir, '--out', out, '--no-cache', '--format', 'seed', ...SMALL],
    {
      stdout: { write: () => true },
      stderr: {
        write: (s: string) => {
          err += s;
          if (s.startsWith('tokens:')) ac.abort();
        },
      },
    },
    { handleSigint: false, signal: ac.signal, workerScript: STALL },
  );
  assert.equal(code, 130, err);
  assert.deepEqual(snapshot(out), previous);
  const ok = await runCli(
    ['build', repo.dir, '--out', out, '--no-cache', '--format', 'seed', ...SMALL],
    { stdout: { write: () => true }, stderr: { write: () => true } },
    { handleSigint: false, workerScript: STALL },
  );
  assert.equal(ok, 0);
  assert.notDeepEqual(snapshot(out), previous, 'replaced by the finished build');
  assert.deepEqual(
    fs.readdirSync(tmp).filter((n) => n.includes('.tmp-')),
    [],
  );
});
