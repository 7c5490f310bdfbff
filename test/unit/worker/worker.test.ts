/** The worker's request handlers (no thread needed: they are plain functions) on a real fixture repository. */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FixtureRepo } from '../../fixtures/repo';
import { analyzeAt } from '../../../src/worker/analysis';
import { resolveSettings } from '../../../src/core/pipeline/options';
import { pick } from '../../../src/core/pipeline/run';
import { CHUNK_SETTING_KEYS } from '../../../src/core/pipeline/stages/chunk';

/** The chunker settings a default build runs with. */
const BUILD_CHUNK = pick(resolveSettings({ repo: '.', out: '.' }), CHUNK_SETTING_KEYS);
import { commitFiles, listCommitsPage, readBlobAt } from '../../../src/worker/history';

describe('worker handlers', () => {
  let repo: FixtureRepo;
  const hashes: string[] = [];

  before(() => {
    repo = FixtureRepo.create('cc-worker-');
    repo.write('src/counter.rs', 'pub struct Counter {\n    n: u64,\n}\n');
    hashes.push(repo.commit('Add Counter'));
    repo.write('assets/logo.bin', new Uint8Array([0, 1, 2, 0, 255]));
    repo.write('src/lib.rs', 'pub mod counter;\n');
    hashes.push(repo.commit('Add lib and a binary'));
    for (let i = 0; i < 5; i++) {
      repo.write('src/lib.rs', `pub mod counter;\npub const N: u32 = ${i};\n`);
      hashes.push(repo.commit(`Bump N to ${i}`));
    }
  });

  after(() => repo.dispose());

  it('pages commits newest first with a "more" flag', async () => {
    const p1 = await listCommitsPage(repo.dir, 0, 3);
    const p2 = await listCommitsPage(repo.dir, 3, 3);
    const p3 = await listCommitsPage(repo.dir, 6, 3);
    assert.deepEqual(
      [...p1.commits, ...p2.commits, ...p3.commits].map((c) => c.hash),
      [...hashes].reverse(),
    );
    assert.deepEqual([p1.more, p2.more, p3.more], [true, true, false]);
  });

  it("lists a commit's files with skip reasons, and reads blobs at a commit", async () => {
    const files = await commitFiles(repo.dir, hashes[1], hashes[0]);
    const byPath = new Map(files.map((f) => [f.path, f]));
    assert.equal(byPath.get('src/lib.rs')?.change, 'added');
    assert.equal(byPath.get('assets/logo.bin')?.skip, 'binary');
    assert.ok(!('newText' in byPath.get('src/lib.rs')!), 'texts stay in the worker');
    const root = await commitFiles(repo.dir, hashes[0], undefined);
    assert.deepEqual(
      root.map((f) => f.path),
      ['src/counter.rs'],
    );
    assert.equal(await readBlobAt(repo.dir, hashes[2], 'src/lib.rs'), 'pub mod counter;\npub const N: u32 = 0;\n');
    assert.equal(await readBlobAt(repo.dir, hashes[0], 'src/lib.rs'), null);
  });

  it('analyzes the unit at a cursor with tokens and cross-file context, cached by document version', async () => {
    const text = 'use crate::counter::Counter;\n\npub fn make() -> Counter {\n    Counter { n: 0 }\n}\n';
    const req = {
      kind: 'analyze' as const,
      key: 'file:///x/src/make.rs#1',
      repo: repo.dir,
      path: 'src/make.rs',
      language: 'rust',
      text,
      offset: text.indexOf('n: 0'),
      budget: 2048,
      firstTokens: 4,
      chunk: BUILD_CHUNK,
    };
    const a = await analyzeAt(req);
    assert.ok(a);
    assert.equal(a.kind, 'fn');
    assert.equal(a.qualifiedName, 'make');
    assert.deepEqual([a.startLine, a.endLine], [3, 5]);
    assert.deepEqual(a.firstTokens.join(''), 'pub fn make()');
    assert.ok(a.tokens > 4);
    assert.deepEqual(
      a.context.map((c) => `${c.kind} ${c.symbol} ${c.path} ${c.reason}`),
      ['import Counter src/make.rs import', 'struct Counter src/counter.rs tree'],
    );
    assert.equal(a.head, hashes[hashes.length - 1]);
    const again = await analyzeAt(req);
    assert.equal(again?.cached, true);
    // the build's chunker settings are the hover's: no context budget, no context
    const none = await analyzeAt({ ...req, chunk: { ...BUILD_CHUNK, contextTokens: 0 } });
    assert.equal(none?.cached, false);
    assert.deepEqual(none?.context, []);
    assert.equal(await analyzeAt({ ...req, offset: 0, key: 'file:///x/src/make.rs#2', text: '\n\n' + text }), null, 'no unit on an empty line');
    assert.equal(await analyzeAt({ ...req, language: 'cobol' }), null);
  });
});
