/**
 * Stage 2/3 of the engine: semantic chunks of a commit's changed files and their cross-file context.
 *
 *   const chunker = await createChunker({ countTokens });
 *   for await (const rec of repo.history({})) for (const c of await chunker.chunkCommit(rec, repo)) ...
 *   chunker.stats(); chunker.dispose();
 *
 * A Chunker owns its parser and caches: create one per worker thread.
 */
import { createHash } from 'node:crypto';
import type { Parser, Tree } from 'web-tree-sitter';
import type { ChunkRecord, CommitRecord, FileChange, RepoReader } from '../types';
import { ContextStage, type CommitDefinitions, type ContextFile, type ParsedFiles } from './contextStage';
import type { ImportedName } from './imports';
import { BRACE_COLLAPSE, languageOfPath, languageSpec, LanguageSpec } from './languages';
import { LineIndex } from './lines';
import { Draft, hunkChunks, pairFile, Side } from './pairing';
import { LoadedLanguage, loadLanguages, newParser } from './parser';
import { ChunkingStats, countChunk, emptyStats } from './stats';
import { TreeCache, textEdits } from './trees';
import { analyze, FileAnalysis, Reuse, Unit } from './units';
import { DEFAULT_MAX_FILE_BYTES } from '../git/options';

export type { Unit, FileAnalysis } from './units';
export { compareTreePaths } from './contextStage';
export type { ChunkingStats } from './stats';
export { BRACE_COLLAPSE, ELISION_PATTERN, ELLIPSIS, LANGUAGES, languageSpec, languageOfPath, PYTHON_COLLAPSE } from './languages';
export type { LanguageSpec } from './languages';
export { diffLines } from './diff';
export type { ImportedName } from './imports';
export type { Hunk } from './diff';

export interface ChunkOptions {
  /** Max characters of each code side of a chunk (default 6000, the build's). */
  maxChunkChars?: number;
  /** Lines of context around top-level and hunk chunks (default 3). */
  contextLines?: number;
  /** Token budget of one context snippet (default 256). */
  snippetTokens?: number;
  /** Token budget of all context items of a chunk (default 1024). */
  contextTokens?: number;
  /** Token counter used for budgets (default: ceil(chars / 4)); the pipeline passes the real tokenizer. */
  countTokens?: (text: string, limit?: number) => number;
  /** Collect cross-file context (default true). */
  context?: boolean;
  /** Parsed blobs kept in the cache (default 4096). */
  cacheEntries?: number;
  /**
   * Characters of text whose syntax trees are kept (the latest tree of each path) to parse the next version of
   * the same file incrementally (default 4,000,000; 0 = always parse from scratch). Output does not depend on it.
   * A kept tree costs wasm memory in proportion to its text (README, Benchmarks: the tuned limits).
   */
  treeCacheChars?: number;
  /**
   * Milliseconds one file may take (parsing both sides, cutting units, collecting context; default 5000):
   * a file over it gets no chunks and the skip reason `timeout` (chunkCommit sets `file.skip`), so no
   * input can stall a build. Tree-sitter's own parse is cancelled at the deadline too.
   */
  fileBudgetMs?: number;
  /** Files of the tree larger than this many bytes are not read for context (default DEFAULT_MAX_FILE_BYTES: the history's limit). */
  maxFileBytes?: number;
  /** Files to skip with reason `timeout` without any work (a watchdog's verdict on an earlier attempt). */
  skipFile?: (commit: string, path: string) => boolean;
  /** Called as each file's work starts (parse and cut, then its context): a watchdog follows it. */
  onFile?: (commit: string, path: string) => void;
}

/** A file's work went over ChunkOptions.fileBudgetMs. */
class FileTimeout extends Error {}

export interface Chunker {
  /** All chunk records of one commit, with context items (needs reader for the tree-at-commit symbol index). Deterministic order. */
  chunkCommit(rec: CommitRecord, reader: RepoReader): Promise<ChunkRecord[]>;
  /** Semantic units of one source text (used by the editor's hover too). */
  units(text: string, language: string): Unit[];
  stats(): ChunkingStats;
  dispose(): void;
}

export async function createChunker(opts: ChunkOptions = {}): Promise<Chunker> {
  const langs = await loadLanguages();
  return new ChunkerImpl(langs, opts);
}

let importParser: Parser | undefined;

/**
 * The names imported by the import declarations of a source text, read as the chunker reads them
 * (tree-sitter parse, the language's query, importNames of each import node). For callers that only have text.
 */
export async function parseImport(language: string, text: string): Promise<ImportedName[]> {
  const spec = languageSpec(language);
  if (!spec) return [];
  const lang = (await loadLanguages()).get(spec.id)!;
  importParser ??= newParser();
  importParser.setLanguage(lang.language);
  const tree = importParser.parse(text);
  if (!tree) return [];
  try {
    return analyze(tree, text, lang).imports.flatMap((d) => d.names);
  } finally {
    tree.delete();
  }
}

/** Stable id of a chunk: sha1 of commit + path + kind + qualified name + part. */
export function chunkId(commit: string, path: string, kind: string, qualifiedName: string, part: number): string {
  return createHash('sha1').update(`${commit}\0${path}\0${kind}\0${qualifiedName}\0${part}`).digest('hex');
}

interface FileWork extends ContextFile {
  /** Milliseconds of its budget the file used to be parsed and cut (the rest is for its context). */
  spent: number;
  language: string | null;
  drafts: Draft[];
}

const NO_DEFINITIONS: CommitDefinitions = { defs: [], byKey: new Map() };

class ChunkerImpl implements Chunker {
  private parser: Parser | null = newParser();
  private readonly cache = new Map<string, FileAnalysis | null>();
  private readonly trees: TreeCache;
  private readonly s = emptyStats();
  private readonly max: number;
  private readonly ctxLines: number;
  private readonly countTokens: (s: string, limit?: number) => number;
  private readonly budgetMs: number;
  /** The running file's deadline (parse() cancels tree-sitter at it). */
  private deadline = Infinity;
  private readonly ctx: ContextStage;

  constructor(
    private readonly langs: Map<string, LoadedLanguage>,
    private readonly opts: ChunkOptions,
  ) {
    this.max = opts.maxChunkChars ?? 6000;
    this.ctxLines = opts.contextLines ?? 3;
    this.countTokens = opts.countTokens ?? ((t: string) => Math.ceil(t.length / 4));
    this.trees = new TreeCache(opts.treeCacheChars ?? 4_000_000);
    this.budgetMs = opts.fileBudgetMs ?? 5000;
    if (this.max < 200) throw new Error(`Commit Corpus: maxChunkChars must be at least 200 (got ${this.max}).`);
    const parsed: ParsedFiles = {
      cached: (spec, oid) => {
        const a = this.cache.get(`${spec.id}:${oid}`);
        if (a !== undefined) this.s.cacheHits++;
        return a;
      },
      analysis: (oid, text, spec, path, synthetic) => this.analysis(oid, text, spec, path, synthetic),
    };
    this.ctx = new ContextStage(parsed, {
      snippetTokens: opts.snippetTokens ?? 256,
      contextTokens: opts.contextTokens ?? 1024,
      countTokens: this.countTokens,
      maxFileBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    });
  }

  units(text: string, language: string): Unit[] {
    const spec = languageSpec(language);
    if (!spec) return [];
    return this.parse(text, spec)?.units ?? [];
  }

  stats(): ChunkingStats {
    return structuredClone(this.s);
  }

  dispose(): void {
    this.parser?.delete();
    this.parser = null;
    this.trees.clear();
    this.cache.clear();
    this.ctx.dispose();
  }

  /**
   * Parses and analyzes one text. With a `path`, the previous tree of that path (if kept) is edited and reused
   * (incremental parse), and the new tree is kept for the next version of the file.
   */
  /** `synthetic`: the text is derived from the file at `path` (see ParsedFiles.analysis): its tree is kept under `path` + NUL + `synthetic`. */
  private parse(text: string, spec: LanguageSpec, path?: string, synthetic?: string): FileAnalysis | null {
    if (!this.parser) throw new Error('Commit Corpus: chunker used after dispose()');
    const lang = this.langs.get(spec.id)!;
    const t0 = performance.now();
    this.parser.setLanguage(lang.language);
    const treeKey = path && synthetic ? `${path}\0${synthetic}` : path; // NUL is in no git path
    const base = treeKey ? this.trees.take(treeKey, spec.id) : undefined;
    let tree: Tree | null;
    let reuse: Reuse | undefined;
    const lines = new LineIndex(text);
    // tree-sitter asks now and then whether to go on: not past the file's deadline
    const deadline = this.deadline;
    const options = deadline < Infinity ? { progressCallback: (() => performance.now() > deadline) as unknown as () => void } : undefined;
    if (base) {
      const edits = textEdits(base.text, text, base.analysis.lines, lines);
      for (const e of edits) base.tree.edit(e);
      tree = this.parser.parse(text, base.tree, options);
      if (tree) reuse = { raws: base.raws, edits, changed: base.tree.getChangedRanges(tree) };
      base.tree.delete();
      this.s.incrementalParses++;
    } else tree = this.parser.parse(text, null, options);
    if (!tree) {
      this.s.parseMs += performance.now() - t0;
      if (performance.now() > deadline) {
        this.parser.reset();
        throw new FileTimeout();
      }
      return null;
    }
    let keep = false;
    try {
      const t1 = performance.now();
      const a = analyze(tree, text, lang, reuse, lines);
      this.s.analyzeMs += performance.now() - t1;
      this.s.blobsParsed++;
      this.s.charsParsed += text.length;
      if (a.hasError && !synthetic) this.s.parseErrors++;
      // raw units live only in the tree cache (the analysis cache holds many more files)
      const raws = a.raws ?? [];
      a.raws = undefined;
      if (treeKey) {
        this.trees.put(treeKey, spec.id, text, tree, a, raws);
        keep = true;
      }
      return a;
    } finally {
      if (!keep) tree.delete();
      this.s.parseMs += performance.now() - t0;
    }
  }

  /** Parses a blob once per run (LRU by oid); `path` lets it reuse that path's previous tree. */
  private analysis(oid: string | undefined, text: string, spec: LanguageSpec, path?: string, synthetic?: string): FileAnalysis | null {
    if (!oid) return this.parse(text, spec, path, synthetic);
    const key = `${spec.id}:${oid}`;
    if (this.cache.has(key)) {
      const hit = this.cache.get(key)!;
      this.cache.delete(key);
      this.cache.set(key, hit);
      this.s.cacheHits++;
      return hit;
    }
    const a = this.parse(text, spec, path);
    this.cache.set(key, a);
    const cap = Math.max(0, this.opts.cacheEntries ?? 4096); // a negative cap never stopped the loop
    while (this.cache.size > cap) this.cache.delete(this.cache.keys().next().value!);
    return a;
  }

  async chunkCommit(rec: CommitRecord, reader: RepoReader): Promise<ChunkRecord[]> {
    this.s.commits++;
    this.ctx.followTree(rec);
    if (rec.error) return [];
    const pairOpts = (spec?: LanguageSpec) => ({ maxChunkChars: this.max, contextLines: this.ctxLines, collapse: spec?.collapse ?? BRACE_COLLAPSE });
    const work: FileWork[] = [];
    for (const file of rec.files) {
      if (file.skip) continue;
      if (file.oldText === null && file.newText === null) continue;
      if (file.oldText === file.newText) continue; // pure rename / mode change
      this.s.files++;
      if (this.opts.skipFile?.(rec.commit.hash, file.path)) {
        this.timedOut(file);
        continue;
      }
      this.opts.onFile?.(rec.commit.hash, file.path);
      const start = performance.now();
      try {
        work.push(this.fileWork(file, start, pairOpts));
      } catch (e) {
        if (!(e instanceof FileTimeout)) throw e;
        this.timedOut(file);
      } finally {
        this.deadline = Infinity;
      }
    }

    this.pairRenames(work, pairOpts);
    const defs = this.opts.context === false ? NO_DEFINITIONS : this.ctx.definitions(work);
    const out: ChunkRecord[] = [];
    const ids = new Set<string>();
    for (const w of work) {
      // what is left of the file's budget goes to its context (which reads and parses other files of the tree)
      const first = out.length;
      this.opts.onFile?.(rec.commit.hash, w.file.path);
      this.deadline = performance.now() + Math.max(0, this.budgetMs - w.spent);
      try {
        await this.fileChunks(rec, w, defs, reader, ids, out, this.deadline);
      } catch (e) {
        if (!(e instanceof FileTimeout)) throw e;
        out.length = first;
        this.timedOut(w.file);
      } finally {
        this.deadline = Infinity;
      }
    }
    for (const c of out) countChunk(this.s, c);
    return out;
  }

  /** The chunk records of one file's drafts, with their context, appended to `out` (FileTimeout past the file's deadline). */
  private async fileChunks(rec: CommitRecord, w: FileWork, defs: CommitDefinitions, reader: RepoReader, ids: Set<string>, out: ChunkRecord[], deadline: number): Promise<void> {
    {
      for (const d of w.drafts) {
        overDeadline(deadline);
        let id = chunkId(rec.commit.hash, w.file.path, d.kind, d.qualifiedName, d.part);
        for (let k = 2; ids.has(id); k++) id = chunkId(rec.commit.hash, w.file.path, d.kind, `${d.qualifiedName}#${k}`, d.part);
        ids.add(id);
        const c: ChunkRecord = {
          id,
          commit: rec.commit.hash,
          path: w.file.path,
          language: w.language,
          kind: d.kind,
          qualifiedName: d.qualifiedName,
          change: d.change,
          oldRange: d.oldRange,
          newRange: d.newRange,
          oldCode: d.oldCode,
          newCode: d.newCode,
          split: d.split,
          context: [],
        };
        if (w.file.oldPath && w.file.oldPath !== w.file.path) c.oldPath = w.file.oldPath;
        if (this.opts.context !== false) c.context = await this.ctx.collect(rec.commit.hash, w, d, defs, reader);
        out.push(c);
      }
    }
  }

  /** One changed file parsed (both sides) and cut into drafts, within its budget from `start` (FileTimeout past it). */
  private fileWork(file: FileChange, start: number, pairOpts: (spec?: LanguageSpec) => { maxChunkChars: number; contextLines: number; collapse: string }): FileWork {
    const deadline = (this.deadline = start + this.budgetMs);
    const language = file.language ?? languageOfPath(file.path);
    const spec = languageSpec(language);
    const side = (text: string | null, oid: string | undefined, path: string): Side | null => {
      if (text === null) return null;
      const analysis = spec ? this.analysis(oid, text, spec, path) : null;
      return { text, lines: analysis?.lines.text === text ? analysis.lines : new LineIndex(text), analysis };
    };
    const oldSide = side(file.oldText, file.oldOid, file.oldPath ?? file.path);
    const newSide = side(file.newText, file.newOid, file.path);
    overDeadline(deadline);
    const parsed = !!spec && (!oldSide || !!oldSide.analysis) && (!newSide || !!newSide.analysis);
    let drafts: Draft[];
    if (parsed) drafts = pairFile(oldSide, newSide, pairOpts(spec));
    else {
      this.s.fallbackFiles++;
      const change = !oldSide ? 'added' : !newSide ? 'deleted' : 'modified';
      drafts = hunkChunks(oldSide, newSide, pairOpts(spec), change);
    }
    overDeadline(deadline);
    return { file, spent: performance.now() - start, language: spec?.id ?? language, spec, oldSide, newSide, drafts };
  }

  /** A file over its budget: no chunks, skip reason `timeout` (the caller counts and names it). */
  private timedOut(file: FileChange): void {
    file.skip = 'timeout';
    this.s.timeouts++;
  }

  /**
   * Edited renames that reached us as delete + add (the history engine pairs exact renames only):
   * an added and a deleted file of the same language sharing at least half of their units are paired.
   */
  private pairRenames(work: FileWork[], pairOpts: (spec?: LanguageSpec) => { maxChunkChars: number; contextLines: number; collapse: string }): void {
    const keys = (s: Side | null): Set<string> => new Set((s?.analysis?.units ?? []).map((u) => `${u.kind}\0${u.qualifiedName}`));
    const used = new Set<FileWork>();
    for (let i = 0; i < work.length; i++) {
      const add = work[i];
      if (add.file.change !== 'added' || !add.spec || !add.newSide?.analysis) continue;
      const ak = keys(add.newSide);
      let best: FileWork | undefined;
      let bestScore = 0;
      for (const del of work) {
        if (del.file.change !== 'deleted' || used.has(del) || del.spec !== add.spec || !del.oldSide?.analysis) continue;
        const dk = keys(del.oldSide);
        let shared = 0;
        for (const k of dk) if (ak.has(k)) shared++;
        const score = shared / Math.max(1, Math.min(ak.size, dk.size));
        if (shared > 0 && score >= 0.5 && score > bestScore) {
          best = del;
          bestScore = score;
        }
      }
      if (!best) continue;
      used.add(best);
      const file: FileChange = { ...add.file, change: 'renamed', oldPath: best.file.path, oldOid: best.file.oldOid, oldMode: best.file.oldMode, oldText: best.file.oldText };
      work[i] = { ...add, file, oldSide: best.oldSide, drafts: pairFile(best.oldSide, add.newSide, pairOpts(add.spec)) };
    }
    for (let i = work.length - 1; i >= 0; i--) if (used.has(work[i])) work.splice(i, 1);
  }
}

function overDeadline(deadline: number): void {
  if (performance.now() > deadline) throw new FileTimeout();
}
