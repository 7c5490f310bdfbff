/**
 * Packaging: builds the extension into a scratch copy of the repository's packaging inputs and runs
 * `vsce package --no-dependencies` there (the same flags as `npm run package`), then reads the
 * .vsix's central directory: it must ship the bundles and every asset, and nothing else.
 * Works in a scratch folder so it never touches dist/ (other tests use it concurrently).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { zipEntries } from './zip';

const ROOT = path.resolve(__dirname, '..', '..');

describe('the .vsix', () => {
  let tmp: string;
  let entries: string[];
  let pkg: { scripts: Record<string, string>; main: string; bin: Record<string, string> };

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-vsix-'));
    for (const f of ['package.json', '.vscodeignore', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
      if (fs.existsSync(path.join(ROOT, f))) fs.copyFileSync(path.join(ROOT, f), path.join(tmp, f));
    }
    for (const d of ['media', 'syntaxes', 'src']) {
      if (fs.existsSync(path.join(ROOT, d))) fs.cpSync(path.join(ROOT, d), path.join(tmp, d), { recursive: true });
    }
    // Things that must never ship.
    fs.mkdirSync(path.join(tmp, 'node_modules', 'left-pad'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'node_modules', 'left-pad', 'index.js'), 'module.exports = 1;\n');
    // A stale development build: the release build must start from an empty dist/.
    fs.mkdirSync(path.join(tmp, 'dist', 'test'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'dist', 'test', 'integration.js'), '// test bundle\n');
    fs.writeFileSync(path.join(tmp, 'dist', 'extension.js.map'), '{}\n');

    pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    // The release build of `npm run package`, into the scratch folder.
    execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs'), '--production', `--outdir=${path.join(tmp, 'dist')}`], { stdio: 'pipe' });
    const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', 'out.vsix'], {
      cwd: tmp,
      stdio: 'pipe',
    });
    entries = zipEntries(fs.readFileSync(path.join(tmp, 'out.vsix')));
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('npm run package uses vsce offline', () => {
    assert.match(pkg.scripts.package, /esbuild\.mjs --production/);
    assert.match(pkg.scripts.package, /vsce package --no-dependencies/);
  });

  it('contains the four bundles, the manifest and the docs', () => {
    for (const f of ['extension/dist/extension.js', 'extension/dist/worker.js', 'extension/dist/cli.js', 'extension/dist/webview.js', 'extension/package.json', 'extension.vsixmanifest']) {
      assert.ok(entries.includes(f), `${f} in ${entries.join(', ')}`);
    }
    assert.ok(entries.includes(`extension/${pkg.main.replace(/^\.\//, '')}`), 'main is shipped');
    assert.ok(entries.includes(`extension/${pkg.bin['commit-corpus'].replace(/^\.\//, '')}`), 'bin is shipped');
    assert.ok(
      entries.some((e) => /^extension\/LICENSE/i.test(e)),
      'license is shipped',
    );
  });

  it('contains every wasm and tokenizer asset', () => {
    const wasm = entries.filter((e) => e.endsWith('.wasm'));
    assert.ok(wasm.includes('extension/dist/web-tree-sitter.wasm'));
    for (const g of ['rust', 'typescript', 'tsx', 'javascript', 'python', 'go']) {
      assert.ok(wasm.includes(`extension/dist/grammars/tree-sitter-${g}.wasm`), `grammar ${g}`);
    }
    assert.ok(entries.includes('extension/dist/tokenizers/qwen3/tokenizer.json'));
  });

  it('ships no sources, dependencies, tests or source maps', () => {
    const bad = entries.filter((e) => /^extension\/(src|node_modules|test|dist\/test)\//.test(e) || e.endsWith('.map') || e.endsWith('.ts'));
    assert.deepEqual(bad, []);
  });
});
