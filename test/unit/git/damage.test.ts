/**
 * Damaged repositories: a truncated or garbage pack index or pack, a damaged pack entry, flipped bytes
 * in an object, a deleted object. Each is one clear error naming the file or the object (never a raw
 * RangeError, never wrong bytes, never a silent skip unless allowMissingObjects asks for it).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
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
  const line = r.git('verify-pack', '-v', packFiles(r).idx).split('\n').find((l) => l.startsWith(oid + ' '));
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
  await historyFails(short, 'corrupt-object', new RegExp(`^Pack ${esc(pack)} is truncated or corrupt \\(its index ${esc(idx)} lists objects up to offset \\d+, the pack has \\d+ bytes\\); run "git fsck"`));

  const junk = copy();
  const pack2 = packFiles(junk).pack;
  edit(pack2, (b) => {
    b.write('JUNK', 0, 'latin1');
    return b;
  });
  await historyFails(junk, 'corrupt-object', new RegExp(`^Pack ${esc(pack2)} is not a git pack file \\(bad header\\)`));

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
  const odb = new ObjectDatabase(r.dir + '/.git');
  assert.throws(() => odb.read(zeros), new RegExp(`^Error: pack ${esc(pack)}, entry at offset ${z.offset}: .*claims 262143 bytes .*impossible`));
  assert.throws(() => odb.read(lib), new RegExp(`^Error: pack ${esc(pack)}, entry at offset ${l.offset}: unknown object type 5`));
  const m0 = r.git('rev-parse', `${commits[4]}:src/m0.rs`).trim();
  assert.equal(odb.read(m0).data.toString(), 'pub fn m4() {}\n');
  odb.close();
});
