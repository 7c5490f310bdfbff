/**
 * esbuild.mjs: the bundles and assets it writes, and that the same sources give byte-identical
 * output. Builds into scratch folders (never into dist/, which other tests use).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assetCopyList } from '../../src/core/assets';

const ROOT = path.resolve(__dirname, '..', '..');

function listFiles(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = path.join(rel, e.name);
    return e.isDirectory() ? listFiles(dir, r) : [r];
  });
}

describe('esbuild.mjs', () => {
  let tmp: string;
  let a: string;
  let b: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-build-'));
    a = path.join(tmp, 'a');
    b = path.join(tmp, 'b');
    for (const out of [a, b]) {
      execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs'), '--production', `--outdir=${out}`], { stdio: 'pipe' });
    }
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes the four bundles; the CLI is an executable node script', () => {
    for (const f of ['extension.js', 'worker.js', 'cli.js', 'webview.js']) assert.ok(fs.existsSync(path.join(a, f)), f);
    const cli = path.join(a, 'cli.js');
    assert.ok(fs.readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n'));
    assert.ok((fs.statSync(cli).mode & 0o111) !== 0, 'cli.js is executable');
  });

  it('keeps vscode external to the extension bundle and out of the others', () => {
    assert.match(fs.readFileSync(path.join(a, 'extension.js'), 'utf8'), /require\("vscode"\)/);
    for (const f of ['worker.js', 'cli.js']) assert.doesNotMatch(fs.readFileSync(path.join(a, f), 'utf8'), /require\("vscode"\)/, f);
  });

  it('leaves the test aids out of the shipped bundles (statements labelled TEST_AIDS), and only those', () => {
    for (const f of ['extension.js', 'worker.js', 'cli.js']) {
      const code = fs.readFileSync(path.join(a, f), 'utf8');
      assert.doesNotMatch(code, /deliberate crash|debug\.delayPerEventMs|delayPhase|TEST_AIDS/, f);
    }
    // the development bundle has them (what the integration tests run)
    const dev = path.join(tmp, 'dev');
    execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs'), `--outdir=${dev}`], { stdio: 'pipe' });
    assert.match(fs.readFileSync(path.join(dev, 'worker.js'), 'utf8'), /deliberate crash/);
    assert.match(fs.readFileSync(path.join(dev, 'extension.js'), 'utf8'), /debug\.delayPerEventMs/);
  });

  it('copies every asset of assetCopyList() unchanged', () => {
    const list = assetCopyList();
    assert.ok(list.length >= 8);
    for (const [from, to] of list) {
      const copy = fs.readFileSync(path.join(a, to));
      assert.ok(copy.equals(fs.readFileSync(path.join(ROOT, 'node_modules', from))), to);
    }
  });

  it('gives byte-identical output for the same sources', () => {
    const files = listFiles(a).sort();
    assert.deepEqual(listFiles(b).sort(), files);
    for (const f of files) assert.ok(fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))), f);
  });
});
