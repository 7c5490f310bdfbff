/**
 * The engine objects one worker thread keeps between requests: tokenizers (by path + mtime), one
 * chunker, open repositories and tree listings. Everything here lives in the worker only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createChunker, type Chunker } from '../core/chunk';
import { openRepository, type Repository } from '../core/git';
import { loadTokenizer, type Tokenizer } from '../core/tokenize';
import type { TreeEntry } from '../core/types';
import { chunkerOptions, type ChunkSettings } from '../core/pipeline/stages/chunk';

const tokenizers = new Map<string, Tokenizer>();

/** The tokenizer at `source` (a tokenizer.json or a folder holding one), or the bundled Qwen3 one. */
export function tokenizerFor(source: string | undefined): Tokenizer {
  const file = source && source.trim() ? path.resolve(source) : '';
  let key = 'bundled';
  if (file) {
    if (!fs.existsSync(file)) throw new Error(`tokenizer not found: ${file}`);
    key = `${file}:${fs.statSync(file).mtimeMs}`;
  }
  let tok = tokenizers.get(key);
  if (!tok) {
    tok = loadTokenizer(file || undefined);
    tok.withMarkers();
    if (tokenizers.size >= 4) tokenizers.clear();
    tokenizers.set(key, tok);
  }
  return tok;
}

/** A short name of a tokenizer for display: the model folder or the file. */
export function tokenizerName(source: string | undefined): string {
  if (!source || !source.trim()) return 'Qwen3 (bundled)';
  const m = /models--([^/\\]+)/.exec(source);
  return m ? m[1].split('--').join('/') : path.basename(path.dirname(path.resolve(source))) + '/' + path.basename(source);
}

let chunker: Promise<Chunker> | null = null;
let chunkerKey: { tok: Tokenizer; settings: string } | null = null;

/** One chunker per worker, with the build's settings, budgets counted with the given tokenizer (recreated when either changes). */
export async function chunkerFor(tok: Tokenizer, settings: ChunkSettings): Promise<Chunker> {
  const key = JSON.stringify(settings);
  if (chunker && chunkerKey?.tok === tok && chunkerKey.settings === key) return chunker;
  if (chunker) (await chunker).dispose();
  chunkerKey = { tok, settings: key };
  chunker = createChunker(chunkerOptions(settings, (s, limit) => tok.count(s, limit)));
  return chunker;
}

const repos = new Map<string, Promise<Repository>>();

/** An open repository, kept for later requests (at most 4); `fresh` reopens it (new commits, moved refs). */
export function repositoryAt(dir: string, fresh = false): Promise<Repository> {
  const key = path.resolve(dir);
  let r = repos.get(key);
  if (r && fresh) {
    repos.delete(key);
    void r.then((o) => o.close()).catch(() => undefined);
    r = undefined;
  }
  if (!r) {
    r = openRepository(key);
    r.catch(() => repos.delete(key));
    if (repos.size >= 4) {
      const [oldKey, old] = repos.entries().next().value!;
      repos.delete(oldKey);
      void old.then((o) => o.close()).catch(() => undefined);
    }
    repos.set(key, r);
  }
  return r;
}

const trees = new Map<string, Map<string, TreeEntry>>();

/** The tree of a commit, by path (last 8 kept). */
export async function treeOf(repo: Repository, commit: string): Promise<Map<string, TreeEntry>> {
  const key = `${repo.gitdir}\0${commit}`;
  let t = trees.get(key);
  if (!t) {
    t = new Map((await repo.listTree(commit)).map((e) => [e.path, e]));
    if (trees.size >= 8) trees.delete(trees.keys().next().value!);
    trees.set(key, t);
  }
  return t;
}
