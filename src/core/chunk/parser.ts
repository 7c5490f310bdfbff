/**
 * Loading web-tree-sitter, grammars and queries. The only state shared across chunkers of one thread
 * is the wasm runtime init and the loaded (read-only) languages/queries; each Chunker owns its Parser.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser, Query } from 'web-tree-sitter';
import { assetPath } from '../assets';
import { LANGUAGES, LanguageSpec } from './languages';

export interface LoadedLanguage {
  spec: LanguageSpec;
  language: Language;
  query: Query;
}

let initPromise: Promise<void> | undefined;
const loaded = new Map<string, Promise<LoadedLanguage>>();

function initRuntime(): Promise<void> {
  initPromise ??= Parser.init({ locateFile: () => assetPath('web-tree-sitter.wasm') });
  return initPromise;
}

/**
 * Finds a query file next to this module (sources), or in the bundle's `queries/` folder
 * (esbuild.mjs copies them there: see assetCopyList() in ../assets.ts).
 */
export function queryPath(file: string): string {
  const roots = [
    path.join(__dirname, 'queries'),
    path.join(__dirname, 'chunk', 'queries'),
    process.env.COMMIT_CORPUS_ASSETS ? path.join(process.env.COMMIT_CORPUS_ASSETS, 'queries') : '',
    path.join(__dirname, '..', 'queries'), // a bundle in a subfolder of dist/ (dist/test/)
    path.resolve(__dirname, '..', 'src', 'core', 'chunk', 'queries'),
  ].filter(Boolean);
  for (const r of roots) {
    const p = path.join(r, file);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`Commit Corpus: query file "${file}" not found (looked in ${roots.join(', ')}).`);
}

async function loadOne(spec: LanguageSpec): Promise<LoadedLanguage> {
  await initRuntime();
  const language = await Language.load(fs.readFileSync(assetPath(spec.wasm)));
  const source = fs.readFileSync(queryPath(spec.query), 'utf8');
  let query: Query;
  try {
    query = new Query(language, source);
  } catch (e) {
    throw new Error(`Commit Corpus: query ${spec.query} does not compile for ${spec.id}: ${(e as Error).message}`, { cause: e });
  }
  return { spec, language, query };
}

/** Loads the runtime and every grammar of the table (once per thread). */
export async function loadLanguages(): Promise<Map<string, LoadedLanguage>> {
  const out = new Map<string, LoadedLanguage>();
  for (const spec of LANGUAGES) {
    let p = loaded.get(spec.id);
    if (!p) {
      p = loadOne(spec);
      loaded.set(spec.id, p);
      p.catch(() => loaded.delete(spec.id));
    }
    out.set(spec.id, await p);
  }
  return out;
}

export function newParser(): Parser {
  return new Parser();
}
