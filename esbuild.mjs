// Bundles the four entry points into dist/ and copies the data assets next to them.
//
//   node esbuild.mjs               development build (sourcemaps)
//   node esbuild.mjs --production  minified, no sourcemaps (what `npm run package` ships)
//   node esbuild.mjs --watch       rebuild on change
//   node esbuild.mjs --outdir=DIR  write somewhere else than dist/ (used by the packaging test)
//
// Entries: extension (node/cjs, `vscode` external), worker (node/cjs), cli (node/cjs, shebang,
// executable), webview (browser/iife), and the integration-test runner that runs inside the
// VS Code extension host (dist/test/integration.js, node/cjs, `vscode` + `mocha` external).
// Assets: the list comes from `assetCopyList()` in src/core/assets.ts (single source of truth).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const outdirArg = process.argv.find((a) => a.startsWith('--outdir='));
const dist = outdirArg ? path.resolve(outdirArg.slice('--outdir='.length)) : path.join(root, 'dist');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/**
 * web-tree-sitter is ESM-first with a `.cjs` build; an `import` in our sources would pick the ESM
 * file (which relies on `import.meta.url`). In a cjs bundle we want its cjs build; the engine
 * locates the wasm itself through assetPath(), so no `import.meta` is needed.
 */
const webTreeSitterCjs = {
  name: 'web-tree-sitter-cjs',
  setup(build) {
    build.onResolve({ filter: /^web-tree-sitter$/ }, () => ({
      path: path.join(root, 'node_modules', 'web-tree-sitter', 'web-tree-sitter.cjs'),
    }));
  },
};

/** Logs each (re)build so `--watch` users see when dist/ is fresh. */
const reporter = (name) => ({
  name: `report-${name}`,
  setup(build) {
    build.onEnd((r) => {
      const when = new Date().toISOString().slice(11, 19);
      if (name === 'cli') makeExecutable();
      console.log(`[${when}] ${name}: ${r.errors.length} error(s), ${r.warnings.length} warning(s)`);
    });
  },
});

const nodeCommon = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
  // test aids (statements labelled TEST_AIDS: the worker's crash request, the cancel tests' delay) are not shipped
  dropLabels: production ? ['TEST_AIDS'] : [],
  // Same sources + same settings → byte-identical bundles.
  metafile: false,
};

const entries = [
  {
    name: 'extension',
    ...nodeCommon,
    entryPoints: ['src/extension/extension.ts'],
    outfile: path.join(dist, 'extension.js'),
    external: ['vscode'],
    plugins: [webTreeSitterCjs],
  },
  {
    name: 'worker',
    ...nodeCommon,
    entryPoints: ['src/worker/worker.ts'],
    outfile: path.join(dist, 'worker.js'),
    plugins: [webTreeSitterCjs],
  },
  {
    name: 'cli',
    ...nodeCommon,
    entryPoints: ['src/cli/main.ts'],
    outfile: path.join(dist, 'cli.js'),
    banner: { js: '#!/usr/bin/env node' },
    plugins: [webTreeSitterCjs],
  },
  {
    name: 'webview',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: production,
    sourcemap: production ? false : 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    entryPoints: ['src/webview/main.ts'],
    outfile: path.join(dist, 'webview.js'),
  },
];

// The integration suite is bundled only for test builds: it never ships in the .vsix.
if (!production) {
  entries.push({
    name: 'integration-tests',
    ...nodeCommon,
    entryPoints: ['test/integration/index.ts'],
    outfile: path.join(dist, 'test', 'integration.js'),
    external: ['vscode', 'mocha'],
    plugins: [webTreeSitterCjs],
  });
}

/** Reads assetCopyList() from src/core/assets.ts by bundling that one file in memory. */
async function assetCopyList() {
  const r = await esbuild.build({
    entryPoints: [path.join(root, 'src/core/assets.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
  });
  const mod = { exports: {} };
  const req = createRequire(path.join(root, 'esbuild.mjs'));
  new Function('module', 'exports', 'require', '__dirname', '__filename', r.outputFiles[0].text)(mod, mod.exports, req, path.join(root, 'src/core'), path.join(root, 'src/core/assets.ts'));
  return mod.exports.assetCopyList();
}

async function copyAssets() {
  const list = await assetCopyList();
  for (const [from, to] of list) {
    const src = path.join(root, 'node_modules', from);
    const dst = path.join(dist, to);
    if (!fs.existsSync(src)) throw new Error(`asset missing: node_modules/${from} (run "npm ci")`);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(src, dst);
  }
  console.log(`copied ${list.length} assets into ${path.relative(root, dist)}/`);
}

function makeExecutable() {
  const cli = path.join(dist, 'cli.js');
  if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755);
}

async function main() {
  process.chdir(root);
  // A release build starts from an empty folder so nothing stale (test bundle, maps) is shipped.
  if (production) fs.rmSync(dist, { recursive: true, force: true });
  fs.mkdirSync(dist, { recursive: true });
  await copyAssets();
  if (watch) {
    for (const { name, ...opts } of entries) {
      const ctx = await esbuild.context({ ...opts, plugins: [...(opts.plugins ?? []), reporter(name)] });
      await ctx.watch();
    }
    console.log('watching for changes (Ctrl+C to stop)');
    return;
  }
  await Promise.all(entries.map(({ name, ...opts }) => esbuild.build(opts).then(() => name)));
  makeExecutable();
  console.log(`built ${entries.map((e) => e.name).join(', ')} into ${path.relative(root, dist) || '.'}/ (${production ? 'production' : 'development'})`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
