import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { describe, it } from 'node:test';
import { assetCopyList } from '../../../src/core/assets';
import { LANGUAGES } from '../../../src/core/chunk';
import { queryPath } from '../../../src/core/chunk/parser';

describe('chunker assets in a bundle', () => {
  it('every language query is copied to dist/queries/ by the build (esbuild.mjs uses assetCopyList)', () => {
    const list = assetCopyList();
    const root = path.resolve(__dirname, '..', '..', '..');
    for (const spec of LANGUAGES) {
      const row = list.find(([, to]) => to === `queries/${spec.query}`);
      assert.ok(row, `queries/${spec.query} is in the copy list`);
      const src = path.join(root, 'node_modules', row[0]);
      assert.equal(fs.readFileSync(src, 'utf8'), fs.readFileSync(queryPath(spec.query), 'utf8'));
    }
  });

  it('queries are found in a bundle folder through COMMIT_CORPUS_ASSETS/queries', () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'cc-q-'));
    const saved = process.env.COMMIT_CORPUS_ASSETS;
    try {
      fs.mkdirSync(path.join(dir, 'queries'));
      fs.writeFileSync(path.join(dir, 'queries', 'only-in-bundle.scm'), '(x) @y');
      process.env.COMMIT_CORPUS_ASSETS = dir;
      assert.equal(queryPath('only-in-bundle.scm'), path.join(dir, 'queries', 'only-in-bundle.scm'));
      assert.throws(() => queryPath('missing.scm'), /query file "missing.scm" not found/);
    } finally {
      if (saved === undefined) delete process.env.COMMIT_CORPUS_ASSETS;
      else process.env.COMMIT_CORPUS_ASSETS = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
