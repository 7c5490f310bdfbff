/**
 * Damaged repositories: a truncated or garbage pack index or pack, a damaged pack entry, flipped bytes
 * in an object, a deleted object. Each is one clear error naming the file or the object (never a raw
 * RangeError, never wrong bytes, never a silent skip unless allowMissingObjects asks for it).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { FixtureRepo } from '../../fixtures/repo';
import { GitError, openRepository } from '../../../src/core/git';
import { ObjectDatabase } from '../../../src/core/git/odb';
import { collect } from './helpers';

const base = FixtureRepo.create();
const disposables: Array<{ dispose(): void }> = [base];
after(() => disposables.forEach((d) => d.dispose()));

const commits: string[] = [];
before(() => {
  for (let i = 0; i < 6; i++) {
    base.write('src/lib.rs', Array.from({ length: 30 + i }, (_, k) => `pub fn f${k}() -> u32 { ${k * i} }`).join('\n') + '\n');
    base.write(`src/m${i % 2}.rs`, `pub fn m${i}() {}\n`);
    if (i === 2) base.write('data/zeros.txt', 'x'.repeat(150_000) + '\n'); // compresses ~1000:1
    commits.push(base.commit(`commit ${i}`));
  }
  base.git('gc', '-q', '--prune=now');
});

/** A copy of the packed fixture repository, removed after the tests. */
function copy(): FixtureRepo {
  const c = FixtureRepo.create();
  disposables.push(c);
  fs.cpSync(base.dir, c.dir, { recursive: true });
  return c;
}

function packFiles(r: FixtureRepo): { idx: string; pack: string } {
  const dir = path.join(r.dir, '.git/objects/pack');
  const idx = fs.readdirSync(dir).find((n) => n.endsWith('.idx'))!;
  return { idx: path.join(dir, idx), pack: path.join(dir, idx.replace(/\.idx$/, '.pack')) };
}

/** An object's entry in the pack, from `git verify-pack -v`. */
function entryOf(r: FixtureRepo, oid: string): { offset: number; packed: number; depth: number } {
  const line = r
    .git('verify-pack', '-v', packFiles(r).idx)
    .split('\n')
    .find((l) => l.startsWith(oid + ' '));
  assert.ok(line, `${oid} not in the pack`);
  const f = line.split(/\s+/);
  return { packed: Number(f[3]), offset: Number(f[4]), depth: f[5] ? Number(f[5]) : 0 };
}

function edit(file: string, change: (b: Buffer) => Buffer): void {
  const b = fs.readFileSync(file);
  fs.chmodSync(file, 0o644);
  fs.writeFileSync(file, change(b));
}

/** Opening the repository and reading its history fails with this GitError. */
async function historyFails(r: FixtureRepo, code: string, message: RegExp, opts = {}): Promise<void> {
  await assert.rejects(
    (async () => {
      const repo = await openRepository(r.dir, opts);
      try {
        await collect(repo);
      } finally {
        repo.close();
      }
    })(),
    (err: Error) => {
      assert.ok(err instanceof GitError, `not a GitError: ${err.stack}`);
      assert.equal(err.code, code);
      assert.match(err.message, message);
      assert.doesNotMatch(err.message, /RangeError|out of range|undefined|NaN/);
      return true;
    },
  );
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('a truncated .idx: one sentence naming the index, what was expected and found', async () => {
  for (const keep of [600, 2000]) {
    const r = copy();
    const { idx } = packFiles(r);
    const full = fs.statSync(idx).size;
    edit(idx, (b) => b.subarray(0, keep > 1100 ? full - 30 : keep));
    const found = keep > 1100 ? full - 30 : keep;
    await historyFails(r, 'corrupt-object', new RegExp(`^Pack index ${esc(idx)} is truncated or corrupt \\(expected at least \\d+ bytes, found ${found}\\); run "git fsck"`));
  }
});

test('an .idx with a wrong object count or an out-of-order fan-out table', async () => {
  const bigger = copy();
  const { idx } = packFiles(bigger);
  edit(idx, (b) => {
    b.writeUInt32BE(b.readUInt32BE(8 + 255 * 4) + 3, 8 + 255 * 4);
    return b;
  });
  await historyFails(bigger, 'corrupt-object', new RegExp(`^Pack index ${esc(idx)} is truncated or corrupt \\(expected at least`));

  const disorder = copy();
  const idx2 = packFiles(disorder).idx;
  edit(idx2, (b) => {
    b.writeUInt32BE(0xffff, 8 + 10 * 4);
    return b;
  });
  await historyFails(disorder, 'corrupt-object', new RegExp(`^Pack index ${esc(idx2)} is corrupt \\(its fan-out table is out of order\\)`));

  // The index of a bigger pack (the same history and one more commit): counts and checksums disagree.
  const other = copy();
  other.write('a.rs', 'fn a() {}\n');
  other.commit('one more');
  other.git('gc', '-q', '--prune=now');
  const swapped = copy();
  const { idx: idx3, pack } = packFiles(swapped);
  fs.chmodSync(idx3, 0o644);
  fs.copyFileSync(packFiles(other).idx, idx3);
  await historyFails(swapped, 'corrupt-object', new RegExp(`^Pack ${esc(pack)} holds \\d+ objects but its index ${esc(idx3)} lists \\d+; run "git fsck"`));

  // Same objects, packed differently: the index was made for another pack.
  const repacked = copy();
  repacked.git('-c', 'pack.compression=0', 'repack', '-a', '-d', '-F', '-q');
  const same = copy();
  const { idx: idx4, pack: pack4 } = packFiles(same);
  fs.chmodSync(idx4, 0o644);
  fs.copyFileSync(packFiles(repacked).idx, idx4);
  await historyFails(same, 'corrupt-object', new RegExp(`^Pack ${esc(pack4)} (does not match its index|is truncated or corrupt)`));
});

test('a .pack shorter than the offsets in its .idx, and a .pack with a bad header', async () => {
  const short = copy();
  const { pack, idx } = packFiles(short);
  edit(pack, (b) => b.subarray(0, Math.floor(b.length / 2)));
  await historyFails(
    short,
    'corrupt-object',
    new RegExp(`^Pack ${esc(pack)} is truncated or corrupt \\(its index ${esc(idx)} lists objects up to offset \\d+, the pack has \\d+ bytes\\); run "git fsck"`),
  );

  const junk = copy();
  const pack2 = packFiles(junk).pack;
  edit(pack2, (b) => {
    b.write('JUNK', 0, 'latin1');
    return b;
  });
  await historyFails(junk, 'corrupt-object', new RegExp(`^Pack ${esc(pack2)} is not a git pack file \\(bad header\\)`));

  const tiny = copy();
  const pack4 = packFiles(tiny).pack;
  edit(pack4, (b) => b.subarray(0, 16));
  await historyFails(tiny, 'corrupt-object', new RegExp(`^Pack ${esc(pack4)} is truncated \\(16 bytes, less than a header and a checksum\\); run "git fsck"`));

  const empty = copy();
  const pack3 = packFiles(empty).pack;
  edit(pack3, () => Buffer.alloc(0));
  await historyFails(empty, 'corrupt-object', new RegExp(`^Pack ${esc(pack3)} is not a git pack file`));
});

test('pack entries with an impossible type or size: errors naming the pack and the entry', () => {
  const r = copy();
  const { pack } = packFiles(r);
  const zeros = r.git('rev-parse', `${commits[5]}:data/zeros.txt`).trim();
  const lib = r.git('rev-parse', `${commits[5]}:src/lib.rs`).trim();
  const z = entryOf(r, zeros);
  const l = entryOf(r, lib);
  edit(pack, (b) => {
    // zeros.txt: 150001 bytes, a 3-byte size header; all size bits set claims 262143 bytes from ~150.
    assert.ok(b[z.offset] & 0x80 && b[z.offset + 1] & 0x80 && !(b[z.offset + 2] & 0x80));
    b[z.offset] |= 0x0f;
    b[z.offset + 1] |= 0x7f;
    b[z.offset + 2] |= 0x7f;
    b[l.offset] = (b[l.offset] & 0x8f) | (5 << 4); // type 5 does not exist
    return b;
  });
  // With the SHA-1 check (no CRC), the entry headers are checked themselves.
  const odb = new ObjectDatabase(r.dir + '/.git', undefined, true);
  assert.throws(() => odb.read(zeros), new RegExp(`^Error: pack ${esc(pack)}, entry at offset ${z.offset}: its header claims 262143 bytes from \\d+ compressed bytes \\(impossible\\)$`));
  assert.throws(() => odb.read(lib), new RegExp(`^Error: pack ${esc(pack)}, entry at offset ${l.offset}: unknown object type 5$`));
  // By default, the index's CRC-32 of each entry catches them first.
  const crc = new ObjectDatabase(r.dir + '/.git');
  for (const [oid, e] of [
    [zeros, z],
    [lib, l],
  ] as const) {
    assert.throws(() => crc.read(oid), new RegExp(`^Error: pack ${esc(pack)}, entry at offset ${e.offset}: its bytes fail the CRC-32 check of the pack index`));
  }
  const m0 = r.git('rev-parse', `${commits[4]}:src/m0.rs`).trim();
  assert.equal(odb.read(m0).data.toString(), 'pub fn m4() {}\n');
  assert.equal(crc.read(m0).data.toString(), 'pub fn m4() {}\n');
  odb.close();
  crc.close();
});

/** zlib's adler32 (for forging a valid zlib stream around changed bytes). */
function adler32(b: Uint8Array): number {
  let a = 1;
  let s = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}

/**
 * Changes one byte of a blob's content inside its (uncompressed, "stored") pack entry and fixes the
 * zlib checksum: the entry inflates fine to the right size, only the CRC-32 or the object id tells.
 */
function forgeStoredEntry(r: FixtureRepo, oid: string, content: string): void {
  const { pack } = packFiles(r);
  const e = entryOf(r, oid);
  assert.equal(e.depth, 0);
  edit(pack, (b) => {
    const at = b.indexOf(content, e.offset, 'utf8');
    assert.ok(at > e.offset && at + content.length + 4 === e.offset + e.packed, 'a stored zlib stream');
    b[at + 7] ^= 0x01;
    b.writeUInt32BE(adler32(b.subarray(at, at + content.length)), at + content.length);
    return b;
  });
}

test('the object id: bytes changed behind a valid zlib stream fail the CRC-32 (idx v2) or the SHA-1 check (idx v1, loose, checkIds)', () => {
  const lib = base.git('rev-parse', `${commits[5]}:src/lib.rs`).trim();
  const content = base.git('cat-file', 'blob', lib);
  const r = copy();
  r.git('-c', 'pack.compression=0', 'repack', '-a', '-d', '-F', '-q', '--window=0');
  const { pack, idx } = packFiles(r);
  const v1 = idx.replace(/\.idx$/, '.idx1');
  r.git('index-pack', '--index-version=1', '-o', v1, pack);
  const at = entryOf(r, lib).offset;
  forgeStoredEntry(r, lib, content);
  const other = r.git('rev-parse', `${commits[4]}:src/lib.rs`).trim();

  const crc = new ObjectDatabase(r.dir + '/.git');
  assert.throws(() => crc.read(lib), new RegExp(`^Error: pack ${esc(pack)}, entry at offset ${at}: its bytes fail the CRC-32 check`));
  assert.equal(crc.read(other).data.toString(), base.git('cat-file', 'blob', other));
  crc.close();
  const ids = new ObjectDatabase(r.dir + '/.git', undefined, true);
  assert.throws(() => ids.read(lib), new RegExp(`^Error: pack ${esc(pack)}, entry at offset ${at}: its content hashes to [0-9a-f]{40}, not to its id$`));
  ids.close();
  fs.chmodSync(idx, 0o644);
  fs.renameSync(v1, idx);
  const old = new ObjectDatabase(r.dir + '/.git');
  assert.throws(() => old.read(lib), /its content hashes to [0-9a-f]{40}, not to its id$/);
  assert.equal(old.read(other).data.toString(), base.git('cat-file', 'blob', other));
  old.close();
});

test('the object id of a loose object: a rewritten file with a valid zlib stream fails the SHA-1 check', () => {
  const r = FixtureRepo.create();
  disposables.push(r);
  r.write('a.rs', 'fn a() {}\n');
  r.commit('one');
  const oid = r.git('rev-parse', 'HEAD:a.rs').trim();
  const file = path.join(r.dir, '.git/objects', oid.slice(0, 2), oid.slice(2));
  edit(file, () => zlib.deflateSync(Buffer.from('blob 10\0fn b() {}\n')));
  const odb = new ObjectDatabase(r.dir + '/.git');
  assert.throws(() => odb.read(oid), new RegExp(`^Error: loose object file ${esc(file)}: its content hashes to [0-9a-f]{40}, not to its id$`));
  assert.equal(odb.read(r.git('rev-parse', 'HEAD^{tree}').trim()).type, 'tree');
  odb.close();
});

test('flipped bytes in a packed blob: the history read fails naming the blob, its path and commit; allowMissingObjects skips the file', async () => {
  const r = copy();
  const { pack } = packFiles(r);
  const m1 = r.git('rev-parse', `${commits[5]}:src/m1.rs`).trim();
  const e = entryOf(r, m1);
  edit(pack, (b) => {
    b[e.offset + e.packed - 3] ^= 0x40;
    return b;
  });
  await historyFails(
    r,
    'corrupt-object',
    new RegExp(
      `^Object ${m1} \\(blob of src/m1\\.rs at commit ${commits[5].slice(0, 12)}\\) is corrupt: pack ${esc(pack)}, entry at offset ${e.offset}: .+; run "git fsck" \\(or pass --allow-missing-objects to skip such files\\)\\.$`,
    ),
  );
  const repo = await openRepository(r.dir, { allowMissingObjects: true });
  const records = await collect(repo);
  assert.equal(records.length, 6);
  const f = records[5].files.find((x) => x.path === 'src/m1.rs')!;
  assert.equal(f.skip, 'missing-object');
  assert.equal(repo.stats().skips['missing-object'], 1);
  assert.equal(repo.stats().commitErrors, 0);
  repo.close();
});

test('a missing ancestor commit: an error naming it and its child; allowMissingObjects stops that line of history there', async () => {
  const r = FixtureRepo.create();
  disposables.push(r);
  const hashes: string[] = [];
  for (let i = 0; i < 4; i++) {
    r.write('a.rs', `fn a() -> u32 { ${i} }\n`);
    hashes.push(r.commit(`c${i}`));
  }
  fs.rmSync(path.join(r.dir, '.git/objects', hashes[1].slice(0, 2), hashes[1].slice(2)));
  await historyFails(
    r,
    'missing-object',
    new RegExp(`^Object ${hashes[1]} \\(parent of commit ${hashes[2].slice(0, 12)}\\) is missing from the repository; run "git fsck" \\(or pass --allow-missing-objects to skip such commits\\)\\.$`),
  );
  const repo = await openRepository(r.dir, { allowMissingObjects: true });
  const records = await collect(repo);
  assert.deepEqual(
    records.map((x) => x.commit.hash),
    [hashes[2], hashes[3]],
  );
  assert.match(
    records[0].error ?? '',
    new RegExp(`^Could not read commit ${hashes[2]}: Object ${hashes[1]} \\(parent of commit ${hashes[2].slice(0, 12)}\\) is missing from the repository; run "git fsck"\\.$`),
  );
  assert.equal(repo.stats().commitErrors, 1);
  repo.close();
});

test('RepoReader and textAtPath on a missing blob and a missing tree: named errors; with allowMissingObjects readText is null and listTree leaves them out (textAtPath still throws)', async () => {
  const r = FixtureRepo.create();
  disposables.push(r);
  r.write('src/a.rs', 'fn a() {}\n');
  r.write('src/b.rs', 'fn b() {}\n');
  r.write('lib/c.rs', 'fn c() {}\n');
  const h = r.commit('one');
  const loose = (oid: string) => path.join(r.dir, '.git/objects', oid.slice(0, 2), oid.slice(2));
  const b = r.git('rev-parse', `${h}:src/b.rs`).trim();
  const lib = r.git('rev-parse', `${h}:lib`).trim();
  fs.rmSync(loose(b));
  fs.rmSync(loose(lib));
  const at = h.slice(0, 12);

  const strict = await openRepository(r.dir);
  await assert.rejects(strict.listTree(h), {
    code: 'missing-object',
    message: `Object ${lib} (tree of lib at commit ${at}) is missing from the repository; run "git fsck" (or pass --allow-missing-objects to skip such commits).`,
  });
  await assert.rejects(strict.readText(b, { path: 'src/b.rs', commit: h }), {
    code: 'missing-object',
    message: `Object ${b} (blob of src/b.rs at commit ${at}) is missing from the repository; run "git fsck" (or pass --allow-missing-objects to skip such files).`,
  });
  await assert.rejects(strict.readText(b), { code: 'missing-object', message: new RegExp(`^Object ${b} \\(blob\\) is missing`) });
  await assert.rejects(strict.readBlob(b), { code: 'missing-object' });
  await assert.rejects(strict.textAtPath(h, 'src/b.rs'), { code: 'missing-object', message: `Object ${b} (blob of src/b.rs at commit ${at}) is missing from the repository; run "git fsck".` });
  await assert.rejects(strict.textAtPath(h, 'lib/c.rs'), { code: 'missing-object', message: new RegExp(`^Object ${lib} \\(tree of lib at commit ${at}\\)`) });
  assert.equal(await strict.textAtPath(h, 'src/a.rs'), 'fn a() {}\n');
  assert.equal(await strict.textAtPath(h, 'src/none.rs'), null);
  strict.close();

  const lenient = await openRepository(r.dir, { allowMissingObjects: true });
  assert.deepEqual(
    (await lenient.listTree(h)).map((e) => e.path),
    ['src/a.rs', 'src/b.rs'],
  );
  assert.equal(await lenient.readText(b), null);
  await assert.rejects(lenient.textAtPath(h, 'src/b.rs'), { code: 'missing-object' });
  assert.equal(await lenient.readText(b), null); // the cached "missing" answer is still null for readText
  lenient.close();
});

test('a partial clone (blob:none): missing blobs are promised, not damage: skipped as missing-object without the option', async () => {
  const src = FixtureRepo.create();
  disposables.push(src);
  src.write('a.rs', 'fn a() { 1 }\n');
  src.commit('one');
  src.write('a.rs', 'fn a() { 2 }\n');
  const h2 = src.commit('two');
  src.git('config', 'uploadpack.allowFilter', 'true');
  const dest = FixtureRepo.create();
  disposables.push(dest);
  fs.rmSync(dest.dir, { recursive: true, force: true });
  src.git('clone', '-q', '--bare', '--filter=blob:none', `file://${src.dir}`, dest.dir);
  const repo = await openRepository(dest.dir);
  assert.equal(repo.isPartialClone, true);
  const records = await collect(repo);
  assert.deepEqual(
    records.map((x) => x.files.map((f) => f.skip)),
    [['missing-object'], ['missing-object']],
  );
  assert.equal(records[1].commit.hash, h2);
  repo.close();
  assert.equal((await openRepository(src.dir)).isPartialClone, false);
});
