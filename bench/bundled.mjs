// Runs a benchmark as the product runs: bundled by esbuild like dist/ (tsx keeps function names, which wraps every
// closure in a call and costs hot code a few percent), then executed with node.
//
//   node bench/bundled.mjs bench/chunks.ts [args…]
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const [entry, ...args] = process.argv.slice(2);
const outfile = path.join(root, 'bench', '.work', `${path.basename(entry, '.ts')}-bundle.cjs`);
await esbuild.build({
  entryPoints: [path.resolve(entry)],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile,
  logLevel: 'warning',
  // the cjs build of web-tree-sitter, as esbuild.mjs picks it
  alias: { 'web-tree-sitter': path.join(root, 'node_modules', 'web-tree-sitter', 'web-tree-sitter.cjs') },
});
// the queries are read from the sources' folder; the wasm files from node_modules
const env = { ...process.env, COMMIT_CORPUS_ASSETS: path.join(root, 'src', 'core', 'chunk') };
const r = spawnSync(process.execPath, [outfile, ...args], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
