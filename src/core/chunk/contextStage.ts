/**
 * The context stage: for each chunk of a commit, the definitions its code uses from elsewhere, within the
 * budgets — (1) units the same commit added or changed in other files, when the chunk's file can reach them;
 * (2) the file's own imports that the chunk uses; (3) the definitions those imports (and, for Go, the package)
 * resolve to in the tree at that commit, with one re-export hop.
 *
 *   definitions(files of the commit) → CommitDefinitions;  collect(commit, file, draft, CommitDefinitions, reader) → ContextItem[]
 *
 * It runs inside the chunk stage, file by file, on the file's time budget, and parses other files of the tree
 * through the chunker's parser and analysis cache (ParsedFiles). It keeps the tree of the commit it was last
 * asked about, and follows the history from it (followTree) instead of listing every tree.
 */
import type { CommitRecord, ContextItem, FileChange, RepoReader } from '../types';
import { compareStrings } from '../git/parse';
import { ContextCollector, Definition, newSnippetCache, rankDefinitions, references, refersTo } from './context';
import { goPackageFiles, ImportedName, resolveImport, Target } from './imports';
import { BRACE_COLLAPSE, languageOfPath, languageSpec, LanguageSpec } from './languages';
import type { Draft, Side } from './pairing';
import type { FileAnalysis, ImportDecl } from './units';

/** What the context of a changed file is drawn from: the file, its language and both parsed sides. */
export interface ContextFile {
  file: FileChange;
  spec?: LanguageSpec;
  oldSide: Side | null;
  newSide: Side | null;
}

/** The commit's changed definitions, ranked, and their indices by the name a chunk refers to them by. */
export interface CommitDefinitions {
  defs: Definition[];
  byKey: Map<string, number[]>;
}

/** The chunker's parsed files: other files of the tree are parsed once per blob, like the changed ones. */
export interface ParsedFiles {
  /** A blob's analysis if it was parsed already (null: it did not parse), else undefined. */
  cached(spec: LanguageSpec, oid: string): FileAnalysis | null | undefined;
  analysis(oid: string, text: string, spec: LanguageSpec, path: string): FileAnalysis | null;
}

export interface ContextOptions {
  snippetTokens: number;
  contextTokens: number;
  countTokens: (text: string, limit?: number) => number;
}

export class ContextStage {
  private readonly snippets = newSnippetCache();
  private treeCommit = '';
  private treePaths = new Map<string, string>();
  private treePathSet = new Set<string>();
  private readonly resolved = new Map<string, Target[]>();
  private resolvedFor = -1;
  /** Changes whenever a path is added to or removed from the loaded tree (not when only contents change). */
  private pathsVersion = 0;
  /** treePaths is in listTree order (false after paths were added by following the history). */
  private treeOrdered = true;

  constructor(
    private readonly parsed: ParsedFiles,
    private readonly opts: ContextOptions,
  ) {}

  dispose(): void {
    this.treePaths.clear();
    this.treePathSet.clear();
  }

  /** Units added or changed on the new side of every parsed file of the commit (what same-commit context draws from). */
  definitions(work: ContextFile[]): CommitDefinitions {
    const defs: Definition[] = [];
    for (const w of work) {
      const na = w.newSide?.analysis;
      if (!na || !w.file.newOid) continue;
      const oldByKey = new Map((w.oldSide?.analysis?.units ?? []).map((u) => [`${u.kind}\0${u.qualifiedName}`, u]));
      for (const u of na.units) {
        if (u.kind === 'use' || u.kind === 'import') continue;
        const o = oldByKey.get(`${u.kind}\0${u.qualifiedName}`);
        if (o && w.oldSide!.text.slice(o.start, o.end) === w.newSide!.text.slice(u.start, u.end)) continue;
        defs.push({ path: w.file.path, oid: w.file.newOid, text: w.newSide!.text, analysis: na, unit: u });
      }
    }
    const ranked = rankDefinitions(defs);
    return { defs: ranked, byKey: indexDefinitions(ranked) };
  }

  /** The context items of one draft of a changed file, within the budgets (the caller's deadline bounds the tree reads). */
  async collect(commit: string, w: ContextFile, d: Draft, { defs, byKey }: CommitDefinitions, reader: RepoReader): Promise<ContextItem[]> {
    const collector = new ContextCollector({
      snippetTokens: this.opts.snippetTokens,
      contextTokens: this.opts.contextTokens,
      countTokens: this.opts.countTokens,
      collapse: w.spec?.collapse ?? BRACE_COLLAPSE,
      snippets: this.snippets,
    });
    // Files without a grammar (fallback hunks: TOML, JSON, …) get no context: a name match there is noise.
    if (!w.spec) return collector.items;
    const side = w.newSide?.analysis ? w.newSide : w.oldSide;
    const sideOid = side === w.newSide ? w.file.newOid : w.file.oldOid;
    const code = d.newCode || d.oldCode;
    const refs = references(code);
    const scope = side?.analysis ? this.importScope(side.analysis.imports) : EMPTY_SCOPE;
    // 1. same commit, other files (in rank order; only definitions whose name the chunk uses and that
    //    the chunk's file can reach: imported, glob-imported, through a module path, or crate/package-visible)
    for (const i of candidates(defs, byKey, refs)) {
      const def = defs[i];
      if (collector.full) break;
      if (def.path === w.file.path || !refersTo(def.unit, refs) || !reachable(w.spec.id, w.file.path, def, scope, code)) continue;
      const parent = def.unit.parent >= 0 ? def.analysis.units[def.unit.parent] : undefined;
      if (parent && collector.has(def.path, parent.start, parent.end)) continue;
      collector.addDefinition(def, 'same-commit');
    }
    if (!side?.analysis || !sideOid) return collector.items;
    // 2. the file's own imports relevant to the chunk
    const relevant: ImportedName[] = [];
    for (const decl of side.analysis.imports) {
      const names = decl.names.filter((n) => !n.reexport);
      const used = names.filter((n) => n.local !== '*' && refs.has(n.local));
      relevant.push(...used, ...names.filter((n) => n.local === '*'));
      if (used.length && !collector.full) collector.addImport(w.file.path, sideOid, decl.start, decl.end, decl.text, used.map((n) => n.local).join(', '));
    }
    // 3. definitions in the tree at that commit, through the imports
    if (collector.full) return collector.items;
    const goSamePackage = w.spec.id === 'go';
    if (!relevant.length && !goSamePackage) return collector.items;
    await this.loadTree(commit, reader);
    const targets: Array<{ files: string[]; name: string }> = [];
    const paths = this.pathSet(w.spec.id);
    for (const imp of relevant) targets.push(...this.resolve(w.spec.id, w.file.path, imp));
    if (goSamePackage) targets.push({ files: goPackageFiles(w.file.path, paths), name: '*' });
    for (const t of targets) {
      for (const f of t.files) {
        if (collector.full) return collector.items;
        if (f === w.file.path) continue;
        const found = await this.treeDefinitions(f, t.name, refs, reader);
        for (const def of found) collector.addDefinition(def, 'tree');
      }
    }
    return collector.items;
  }

  /** What a file's imports make reachable by name. */
  private importScope(decls: ImportDecl[]): ImportScope {
    const scope: ImportScope = { names: new Set(), modules: [], glob: false };
    for (const decl of decls) {
      for (const n of decl.names) {
        if (n.reexport) continue; // `export … from` binds nothing in the file
        if (n.local === '*') scope.glob = true;
        else if (n.module || n.imported === '*') scope.modules.push(n.local);
        else {
          scope.names.add(n.local);
          scope.names.add(n.imported);
        }
      }
    }
    return scope;
  }

  /** resolveImport against the loaded tree, remembered while the tree's set of paths does not change. */
  private resolve(language: string, file: string, imp: ImportedName): Target[] {
    if (this.resolvedFor !== this.pathsVersion || this.resolved.size > 50_000) {
      this.resolved.clear();
      this.resolvedFor = this.pathsVersion;
    }
    const key = `${language}\0${file}\0${imp.local}\0${imp.imported}\0${imp.from.join('\0')}\0${imp.module ? 1 : 0}`;
    let v = this.resolved.get(key);
    if (!v) this.resolved.set(key, (v = resolveImport(language, file, imp, this.pathSet(language))));
    return v;
  }

  private async loadTree(commit: string, reader: RepoReader): Promise<void> {
    if (this.treeCommit === commit) return;
    this.treeCommit = '';
    const entries = await reader.listTree(commit);
    this.treePaths = new Map(entries.filter((e) => e.mode !== '160000' && e.mode !== '120000').map((e) => [e.path, e.oid]));
    this.treePathSet = new Set(this.treePaths.keys());
    this.treeOrdered = true;
    this.treeCommit = commit;
    this.pathsVersion++;
  }

  /**
   * The tree of a commit whose first parent's tree is loaded is that tree plus the commit's changes
   * (the history engine lists every changed path, skipped ones included): no listTree per commit.
   */
  followTree(rec: CommitRecord): void {
    if (!this.treeCommit || rec.commit.parents[0] !== this.treeCommit) return;
    if (rec.error) {
      this.treeCommit = '';
      return;
    }
    for (const f of rec.files) {
      if (f.oldPath !== undefined && f.oldPath !== f.path) this.dropPath(f.oldPath);
      if (f.change === 'deleted' || !f.newOid || f.newMode === '160000' || f.newMode === '120000') this.dropPath(f.path);
      else {
        if (!this.treePaths.has(f.path)) {
          this.treePathSet.add(f.path);
          this.treeOrdered = false;
          this.pathsVersion++;
        }
        this.treePaths.set(f.path, f.newOid);
      }
    }
    this.treeCommit = rec.commit.hash;
  }

  private dropPath(p: string): void {
    if (this.treePaths.delete(p)) this.pathsVersion++;
    this.treePathSet.delete(p);
  }

  /** Paths of the loaded tree; in listTree order for Go, whose import resolution depends on it. */
  private pathSet(language: string): Set<string> {
    if (language === 'go' && !this.treeOrdered) {
      const keys = [...this.treePaths.keys()].sort(compareTreePaths);
      this.treePaths = new Map(keys.map((k) => [k, this.treePaths.get(k)!]));
      this.treePathSet = new Set(keys);
      this.treeOrdered = true;
    }
    return this.treePathSet;
  }

  /** Definitions named `name` (or, for '*', any the chunk refers to) in a file of the tree (parsed once per blob). */
  private async treeDefinitions(file: string, name: string, refs: Set<string>, reader: RepoReader, depth = 0): Promise<Definition[]> {
    const oid = this.treePaths.get(file);
    const spec = languageSpec(languageOfPath(file));
    if (!oid || !spec) return [];
    let a = this.parsed.cached(spec, oid);
    if (a === undefined) {
      const text = await reader.readText(oid, { path: file, commit: this.treeCommit });
      if (text === null) return [];
      a = this.parsed.analysis(oid, text, spec, file);
    }
    if (!a) return [];
    const text = a.lines.text;
    const hits = a.units.filter((u) => (name === '*' ? refersTo(u, refs) : u.name === name && u.kind !== 'impl' && u.kind !== 'use' && u.kind !== 'import'));
    const defs = rankDefinitions(hits.map((unit) => ({ path: file, oid, text, analysis: a!, unit })));
    if (defs.length || name === '*' || depth > 0) return defs;
    // one re-export hop: `pub use inner::Foo;`, `export { Foo } from './inner'`, `export * from './inner'` in the target file
    for (const decl of a.imports) {
      for (const imp of decl.names) {
        if (imp.local !== name && !(imp.reexport && imp.local === '*')) continue;
        for (const t of this.resolve(spec.id, file, imp)) {
          for (const f of t.files) if (f !== file) defs.push(...(await this.treeDefinitions(f, t.name === '*' ? name : t.name, refs, reader, depth + 1)));
        }
      }
    }
    return defs;
  }
}

/** listTree order: entries of each folder sorted by name (compareStrings), depth first. */
export function compareTreePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = compareStrings(x[i], y[i]);
    if (c !== 0) return c;
  }
  return x.length - y.length;
}

/** The key a chunk must use for a definition to be referred to (see refersTo): an impl's type, else the name. */
const refKey = (d: Definition): string | undefined => (d.unit.kind === 'impl' ? d.unit.owner : d.unit.name);

/** Indices of definitions by refKey, ascending. */
function indexDefinitions(defs: Definition[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  defs.forEach((d, i) => {
    const k = refKey(d);
    if (k === undefined) return;
    const l = m.get(k);
    if (l) l.push(i);
    else m.set(k, [i]);
  });
  return m;
}

/** Ascending indices of the definitions a chunk using `refs` may refer to (a superset of refersTo's matches). */
function candidates(defs: Definition[], byKey: Map<string, number[]>, refs: Set<string>): number[] {
  if (refs.size >= defs.length) return defs.map((_, i) => i);
  const out: number[] = [];
  for (const r of refs) {
    const l = byKey.get(r);
    if (l) out.push(...l);
  }
  return out.sort((a, b) => a - b);
}

interface ImportScope {
  /** Names imported one by one (local and original). */
  names: Set<string>;
  /** Local names of imported modules / namespaces (`ns` in `ns.Foo`, `b` in `b::Foo`). */
  modules: string[];
  /** A glob import (`use super::*`, `from x import *`). */
  glob: boolean;
}

const EMPTY_SCOPE: ImportScope = { names: new Set(), modules: [], glob: false };

/** Rust items every file of the crate can name by path or through a `use` elsewhere in the module tree. */
const RUST_CRATE_VISIBLE = new Set(['struct', 'enum', 'union', 'trait', 'type', 'macro', 'impl', 'method']);

/** Can a chunk of `file` (with its imports `scope`) refer to this definition of another file of the commit? */
function reachable(language: string, file: string, def: Definition, scope: ImportScope, code: string): boolean {
  const u = def.unit;
  const names = [u.name, u.owner, u.trait].filter((n): n is string => !!n);
  if (names.some((n) => scope.names.has(n))) return true;
  if (scope.glob) return true;
  if (scope.modules.some((m) => code.includes(`${m}.${u.name}`) || code.includes(`${m}::${u.name}`))) return true;
  switch (language) {
    case 'rust':
      return RUST_CRATE_VISIBLE.has(u.kind) || code.includes(`::${u.name}`);
    case 'go':
      return dirOf(def.path) === dirOf(file);
    default:
      return false;
  }
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}
