/**
 * The object database read directly (packs, loose objects, deltas, idx v1/v2, OFS/REF deltas) returns
 * exactly what `git cat-file` returns, with any delta-base budget; corruption is an error, never wrong data.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { FixtureRepo } from '../../fixtures/repo';
import { ObjectDatabase } from '../../../src/core/git/odb';
import { inflateInto, usesNativeHandle } from '../../../src/core/git/inflate';
import { applyDelta } from '../../../src/core/git/delta';
import { openRepository } from '../../../src/core/git';
import { collect } from './helpers';

const repo = FixtureRepo.create();
after(() => repo.dispose());

/** A history where every file changes a little many times: long delta chains after a repack. */
function fastImport(dir: string, commits: number): void {
  const parts: string[] = [];
  const data = (s: string) => parts.push(`data ${Buffer.byteLength(s)}\n${s}\n`);
  const lines = new Map<string, string[]>();
  for (let c = 1; c <= commits; c++) {
    parts.push(`commit refs/heads/main\nmark :${c}\nauthor A <a@example.com> ${1600000000 + c * 60} +0100\ncommitter A <a@example.com> ${1600000000 + c * 60} +0100\n`);
    data(`commit ${c}\n`);
    if (c > 1) parts.push(`from :${c - 1}\n`);
    for (const f of ['src/a.rs', 'src/b.rs', `src/m${c % 4}/c.rs`, 'README.md']) {
      const body = lines.get(f) ?? Array.from({ length: 40 }, (_, i) => `// ${f} line ${i} ${'x'.repeat(i % 30)}`);
      body.splice((c * 7) % body.length, 1, `fn changed_${c}() -> u32 { ${c} } // ${f}`);
      if (c % 3 === 0) body.push(`// appended in ${c}`);
      lines.set(f, body);
      parts.push(`M 100644 inline ${f}\n`);
      data(body.join('\n') + '\n');
    }
    parts.push('\n');
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: parts.join('') });
  execFileSync('git', ['reset', '-q', '--hard', 'main'], { cwd: dir });
}

interface Obj {
  oid: string;
  type: string;
  data: Buffer;
}

function catAll(dir: string): Obj[] {
  const list = execFileSync('git', ['cat-file', '--batch-all-objects', '--batch-check=%(objectname)'], { cwd: dir, encoding: 'utf8' }).trim().split('\n');
  const out = execFileSync('git', ['cat-file', '--batch'], { cwd: dir, input: list.join('\n') + '\n', maxBuffer: 1 << 28 });
  const objs: Obj[] = [];
  let pos = 0;
  for (const oid of list) {
    const nl = out.indexOf(10, pos);
    const [got, type, size] = out.subarray(pos, nl).toString().split(' ');
    assert.equal(got, oid);
    objs.push({ oid, type, data: out.subarray(nl + 1, nl + 1 + Number(size)) });
    pos = nl + 1 + Number(size) + 1;
  }
  return objs;
}

function packStats(dir: string): string {
  const idx = fs.readdirSync(path.join(dir, '.git/objects/pack')).filter((n) => n.endsWith('.idx'));
  return execFileSync('git', ['verify-pack', '-s', ...idx.map((n) => `.git/objects/pack/${n}`)], { cwd: dir, encoding: 'utf8' });
}

function expectSame(dir: string, objs: Obj[], deltaBaseBytes: number): void {
  const odb = new ObjectDatabase(dir + '/.git', deltaBaseBytes);
  // Twice: the second pass is answered partly from the delta-base cache.
  for (let pass = 0; pass < 2; pass++) {
    for (const o of objs) {
      const got = odb.read(o.oid, pass === 1);
      assert.equal(got.type, o.type, o.oid);
      assert.ok(got.data.equals(o.data), `${o.type} ${o.oid} differs (pass ${pass}, budget ${deltaBaseBytes})`);
    }
  }
  odb.close();
}

let objs: Obj[] = [];
before(() => {
  fastImport(repo.dir, 60);
  objs = catAll(repo.dir);
});

test('loose objects read like git cat-file', () => {
  assert.ok(objs.length > 200);
  assert.ok(!fs.existsSync(path.join(repo.dir, '.git/objects/pack')) || fs.readdirSync(path.join(repo.dir, '.git/objects/pack')).length <= 2);
  expectSame(repo.dir, objs, 32 << 20);
});

test('deep OFS_DELTA chains (idx v2) read like git cat-file, with a large and a tiny delta-base budget', () => {
  repo.git('repack', '-a', '-d', '-f', '-q', '--depth=50', '--window=50');
  const stats = packStats(repo.dir);
  assert.match(stats, /chain length = (1\d|[2-9]\d):/, 'the pack has long delta chains');
  expectSame(repo.dir, objs, 32 << 20);
  expectSame(repo.dir, objs, 3000);
});

test('REF_DELTA entries and a version 1 pack index read like git cat-file', () => {
  repo.git('-c', 'repack.useDeltaBaseOffset=false', '-c', 'pack.indexVersion=1', 'repack', '-a', '-d', '-f', '-q', '--depth=20');
  const idx = fs.readdirSync(path.join(repo.dir, '.git/objects/pack')).find((n) => n.endsWith('.idx'))!;
  const head = fs.readFileSync(path.join(repo.dir, '.git/objects/pack', idx)).subarray(0, 4);
  assert.notDeepEqual([...head], [0xff, 0x74, 0x4f, 0x63], 'index v1 has no magic');
  expectSame(repo.dir, objs, 32 << 20);
  expectSame(repo.dir, objs, 3000);
});

test('history over the repacked repository equals the history over loose objects', async () => {
  const loose = FixtureRepo.create();
  try {
    fastImport(loose.dir, 60);
    const a = await collect(await openRepository(loose.dir));
    const b = await collect(await openRepository(repo.dir));
    assert.equal(a.length, 60);
    assert.equal(JSON.stringify(b), JSON.stringify(a));
  } finally {
    loose.dispose();
  }
});

test('a corrupt pack entry is an error for that object (never wrong bytes); other objects still read; allowMissingObjects skips the file', async () => {
  const copy = FixtureRepo.create();
  try {
    fs.cpSync(repo.dir, copy.dir, { recursive: true });
    copy.git('repack', '-a', '-d', '-f', '-q');
    const packDir = path.join(copy.dir, '.git/objects/pack');
    const pack = path.join(
      packDir,
      fs.readdirSync(packDir).find((n) => n.endsWith('.pack'))!,
    );
    // The newest README.md blob: damage bytes in the middle of its entry.
    const oid = copy.git('rev-parse', 'HEAD:README.md').trim();
    const line = copy
      .git('verify-pack', '-v', pack.replace(/\.pack$/, '.idx'))
      .split('\n')
      .find((l) => l.startsWith(oid))!;
    const [, , , packedSize, offset] = line.split(/\s+/);
    const bytes = fs.readFileSync(pack);
    const at = Number(offset) + Math.floor(Number(packedSize) / 2);
    bytes[at] ^= 0xff;
    bytes[at + 1] ^= 0x55;
    fs.chmodSync(pack, 0o644);
    fs.writeFileSync(pack, bytes);

    const odb = new ObjectDatabase(copy.dir + '/.git');
    assert.throws(() => odb.read(oid));
    const other = copy.git('rev-parse', 'HEAD:src/a.rs').trim();
    assert.ok(odb.read(other).data.equals(objs.find((o) => o.oid === other)!.data));
    odb.close();

    const strict = await openRepository(copy.dir);
    // (older README.md blobs are deltas against the damaged one: the first of them read fails)
    await assert.rejects(
      collect(strict),
      new RegExp(`^GitError: Object [0-9a-f]{40} \\(blob of README.md at commit [0-9a-f]{12}\\) is corrupt: pack .*, entry at offset \\d+: its bytes fail the CRC-32 check`),
    );
    strict.close();
    const r = await openRepository(copy.dir, { allowMissingObjects: true });
    const records = await collect(r);
    const last = records[records.length - 1];
    assert.equal(last.files.find((f) => f.path === 'README.md')?.skip, 'missing-object');
    assert.equal(records.length, 60);
    r.close();
  } finally {
    copy.dispose();
  }
});

test('inflate: exact sizes, a wrong size or a corrupt stream throws, and the handle keeps working after errors', () => {
  const text = Buffer.from('pub fn main() {}\n'.repeat(50));
  const z = zlib.deflateSync(text);
  const out = Buffer.alloc(text.length + 1);
  assert.ok(inflateInto(z, text.length, out).equals(text));
  assert.throws(() => inflateInto(z, text.length - 1, Buffer.alloc(text.length)));
  assert.throws(() => inflateInto(z, text.length + 5, Buffer.alloc(text.length + 6)));
  assert.throws(() => inflateInto(Buffer.from('not a zlib stream'), 10, Buffer.alloc(11)));
  assert.throws(() => inflateInto(z.subarray(0, z.length - 6), text.length, out));
  assert.ok(inflateInto(z, text.length, out).equals(text));
  assert.ok(inflateInto(zlib.deflateSync(Buffer.alloc(0)), 0, Buffer.alloc(1)).equals(Buffer.alloc(0)));
  // On Node 20 the fast path (one reused native zlib handle) must be the one in use.
  assert.equal(usesNativeHandle(), true);
});

test('applyDelta: copy and insert instructions; size mismatches are errors', () => {
  const base = Buffer.from('0123456789abcdefghij');
  // base size 20, result size 9: copy 4 bytes from offset 2, insert "XYZ", copy 2 bytes from 18
  const delta = Buffer.from([20, 9, 0x91, 2, 4, 3, 0x58, 0x59, 0x5a, 0x91, 18, 2]);
  assert.equal(applyDelta(base, delta).toString(), '2345XYZij');
  assert.throws(() => applyDelta(base.subarray(1), delta), /base size/);
  assert.throws(() => applyDelta(base, Buffer.from([20, 10, 0x91, 2, 4])), /expected/);
  assert.throws(() => applyDelta(base, Buffer.from([20, 9, 0x91, 19, 4])), /out of range/);
});

test('a run gives the event loop turns: a timer can abort it even when the consumer never awaits anything else', async () => {
  const r = await openRepository(repo.dir);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 0);
  let seen = 0;
  await assert.rejects(
    (async () => {
      for await (const rec of r.history({}, ac.signal)) seen += rec.files.length > 0 ? 1 : 0;
    })(),
    (err: Error) => err.name === 'AbortError',
  );
  assert.ok(seen < 60, `aborted after ${seen} of 60 commits`);
  r.close();
});
