/**
 * The context stage: for each chunk of a commit, the definitions its code uses from elsewhere, within the
 * budgets — (1) units the same commit added or changed in other files, when the chunk's file can reach them;
 * (2) the file's own imports that the chunk uses; (3) the definitions those imports (and, for Go, the package)
 * resolve to in the tree at that commit, through re-exports and the workspace's manifests (Cargo.toml and
 * package.json names, go.mod module paths, tsconfig paths); (4) the definitions of the chunk's own file that it uses.
 *
 *   definitions(files of the commit) → CommitDefinitions;  collect(commit, file, draft, CommitDefinitions, reader) → ContextItem[]
 *
 * It runs inside the chunk stage, file by file, on the file's time budget, and parses other files of the tree
 * through the chunker's parser and analysis cache (ParsedFiles). It keeps the tree of the commit it was last
 * asked about, and follows the history from it (followTree) instead of listing every tree.
 */
import type { CommitRecord, ContextItem, FileChange, LineRange, RepoReader } from '../types';
import { compareStrings } from '../git/parse';
import { ContextCollector, Definition, newSnippetCache, rankDefinitions, references, refersTo, refersToDef, roleFinder, withoutComments } from './context';
import * as path from 'node:path';
import { EMPTY_WORKSPACE, goPackageFiles, ImportedName, isManifest, manifestKind, readManifest, resolveImport, rustCrateRoot, rustModuleFiles, Target, Workspace } from './imports';
import { languageOfPath, languageSpec, LanguageSpec } from './languages';
import { macroBodies, macroItems, type MacroBodies } from './macroItems';
import { Lru } from '../git/lru';
import type { Draft, Side } from './pairing';
import type { FileAnalysis, ImportDecl, Unit } from './units';

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
  /**
   * `oid` '': not cached. `synthetic`: a text derived from the file at `path` (its parse errors are not the file's;
   * its tree is kept under its own key, apart from the file's, for the next version's incremental parse).
   */
  analysis(oid: string, text: string, spec: LanguageSpec, path: string, synthetic?: string): FileAnalysis | null;
}

export interface ContextOptions {
  snippetTokens: number;
  contextTokens: number;
  countTokens: (text: string, limit?: number) => number;
  /** Files of the tree larger than this many bytes are not read (the history's limit: what is not data is not context). */
  maxFileBytes: number;
}

export class ContextStage {
  private readonly snippets = newSnippetCache();
  private treeCommit = '';
  private treePaths = new Map<string, string>();
  private treePathSet = new Set<string>();
  private readonly resolved = new Map<string, Target[]>();
  private resolvedFor = '';
  /**
   * Changes whenever a source path (one of a language's extensions: all that import resolution and the implicit
   * files look for) is added to or removed from the loaded tree; not when only contents change.
   */
  private pathsVersion = 0;
  /** treePaths is in listTree order (false after paths were added by following the history). */
  private treeOrdered = true;
  /** The loaded tree's packages (null: to be read again, after a manifest changed or another tree was loaded). */
  private workspace: Workspace | null = null;
  private workspaceVersion = 0;
  /** The packages read last (the workspace version stays while they do not change). */
  private lastWorkspace: Workspace | null = null;
  /** What each manifest blob names (readManifest), by oid and path. */
  private readonly manifests = new Map<string, [string, string] | null>();
  /** macroAnalysis (its bodies and their names: an LRU of ~300 k names; its analyses: ~8 M characters) and fileModules, by blob oid. */
  private readonly bodyCache = new Lru<string, { bodies: MacroBodies; names: Set<string>; glob: boolean } | null>(300_000, (b) => 8 + (b ? b.names.size + b.bodies.keep.length : 0));
  private readonly macroCache = new Lru<string, FileAnalysis>(8_000_000, (a) => 256 + a.lines.text.length); // it holds the blob's text
  /** The imports of the `use` declarations found in macro bodies, by their text. */
  private readonly macroUses = new Lru<string, ImportDecl[]>(2_000_000, (u) => 64 + u.reduce((n, d) => n + d.text.length, 0));
  private readonly modCache = new Map<string, string[]>();
  /** treeDefinitions of a name, by file and name, while the tree's paths and packages stay (lookupsFor). */
  private readonly lookups = new Map<string, Lookup>();
  private lookupsFor = '';
  private readonly roots = new Map<string, string[]>();
  private rootsFor = -1;
  /** Blobs over opts.maxFileBytes (read once to learn it). */
  private readonly tooLarge = new Set<string>();

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
    // Files without a grammar (fallback hunks: TOML, JSON, …) get no context: a name match there is noise.
    if (!w.spec) return [];
    const side = w.newSide?.analysis ? w.newSide : w.oldSide;
    const sideOid = side === w.newSide ? w.file.newOid : w.file.oldOid;
    const code = d.newCode || d.oldCode;
    const self = side === w.newSide ? (d.newUnit ?? d.oldUnit) : (d.oldUnit ?? d.newUnit);
    const plainCode = withoutComments(code, w.spec.id);
    const collector = new ContextCollector({
      snippetTokens: this.opts.snippetTokens,
      contextTokens: this.opts.contextTokens,
      countTokens: this.opts.countTokens,
      collapse: w.spec.collapse,
      snippets: this.snippets,
      role: roleFinder(plainCode, w.spec.id, implementedTrait(self, side?.analysis)),
    });
    // the unit's own name is not a use of another definition of that name (`fn main` does not need other mains)
    const refs = references(plainCode);
    if (self && self.kind !== 'impl') refs.delete(self.name);
    const scope = side?.analysis ? this.importScope(side.analysis.imports) : EMPTY_SCOPE;
    // 1. same commit, other files (in rank order; only definitions whose name the chunk uses and that
    //    the chunk's file can reach: imported, glob-imported, through a module path, or crate/package-visible)
    //    (whole impl blocks wait until the imports and the tree's definitions are in: they are long and the least specific)
    const impls: Definition[] = [];
    for (const i of candidates(defs, byKey, refs)) {
      const def = defs[i];
      if (collector.full) break;
      if (def.path === w.file.path || !refersToDef(def, refs) || !reachable(w.spec.id, w.file.path, def, scope, code)) continue;
      const parent = def.unit.parent >= 0 ? def.analysis.units[def.unit.parent] : undefined;
      if (parent && collector.has(def.path, parent.start, parent.end)) continue;
      if (def.unit.kind === 'impl') impls.push(def);
      else collector.addDefinition(def, 'same-commit');
    }
    const addImpls = () => {
      for (const def of impls) if (!collector.full) collector.addDefinition(def, 'same-commit');
    };
    if (!side?.analysis || !sideOid) {
      addImpls();
      return collector.items;
    }
    const range = side === w.newSide ? (d.newRange ?? d.oldRange) : (d.oldRange ?? d.newRange);
    // 2. the file's own imports relevant to the chunk
    const relevant: ImportedName[] = [];
    const lineOf = (offset: number) => side.analysis!.lines.lineOf(offset);
    for (const decl of side.analysis.imports) {
      const names = decl.names.filter((n) => !n.reexport);
      // `use std::fmt::Write as _` binds no name the chunk can use
      const used = names.filter((n) => n.local !== '*' && n.local !== '_' && refs.has(n.local));
      relevant.push(...used, ...names.filter((n) => n.local === '*'));
      // a declaration inside the chunk (an import block's own lines) is the chunk, not its context
      const inside = !!range && lineOf(decl.start) <= range.end && range.start <= lineOf(Math.max(decl.start, decl.end - 1));
      if (used.length && !inside && !collector.full) collector.addImport(w.file.path, sideOid, decl.start, decl.end, decl.text, used.map((n) => n.local).join(', '));
    }
    // 3. definitions in the tree at that commit, through the imports
    const implicit = implicitFiles(w.spec.id, w.file.path);
    const paths = w.spec.id === 'rust' && code.includes('::');
    if (!collector.full && (relevant.length || implicit || paths)) await this.fromTree(collector, commit, w, relevant, implicit, refs, reader, paths ? plainCode : '');
    addImpls();
    // 4. the file's own definitions the chunk uses (the model sees the chunk, not its file)
    if (!collector.full) this.sameFile(collector, { path: w.file.path, oid: sideOid, side: side as Side & { analysis: FileAnalysis } }, range, self, refs);
    return collector.items;
  }

  /** Definitions of other files of the tree that the file's imports (and the files it sees unimported) resolve the chunk's names to. */
  private async fromTree(
    collector: ContextCollector,
    commit: string,
    w: ContextFile,
    relevant: ImportedName[],
    implicit: ImplicitFiles | null,
    refs: Set<string>,
    reader: RepoReader,
    code = '',
  ): Promise<void> {
    const language = w.spec!.id;
    await this.loadTree(commit, reader);
    await this.loadWorkspace(reader);
    const targets: Target[] = [];
    // Rust paths written out in the code (`tokio::task::yield_now()`, `crate::util::bit::pack(…)`) resolve like imports
    // (not in strings; `code` comes without its comments)
    const plain = code && code.replace(/"(?:\\.|[^"\\])*"/g, '""');
    const imports = plain ? [...relevant, ...pathImports(plain, this.workspace?.crates ?? new Map())] : relevant;
    for (const imp of imports) targets.push(...this.resolve(language, w.file.path, imp));
    // macros the code invokes without importing them: in textual scope from the crate root (`#[macro_use] mod fragment;`,
    // `#[macro_export]`), looked up there like the root's own names
    if (plain) {
      const roots = this.crateRootFiles(w.file.path);
      if (roots.length && roots[0] !== w.file.path) for (const name of macroCalls(plain)) targets.push({ files: roots, name });
    }
    if (implicit) targets.push({ files: implicit(this.pathSet(language)), name: '*' });
    // every imported name's own definition first, then the members the chunk names through them (a type's methods)
    const members: Definition[] = [];
    for (const t of targets) {
      for (const f of t.files) {
        if (collector.full) return;
        if (f === w.file.path) continue;
        for (const def of await this.treeDefinitions(f, t.name, refs, reader)) {
          if (t.name !== '*' && def.unit.name !== t.name) members.push(def);
          else collector.addDefinition(def, 'tree');
        }
      }
    }
    for (const def of members) if (!collector.full) collector.addDefinition(def, 'tree');
  }

  /**
   * Definitions of the chunk's own file that it uses, outside the chunk: what it calls or names (a method of its own
   * impl or class by name alone), not the file's impl blocks, not trait methods implemented for other types, not
   * items local to a function body.
   */
  private sameFile(
    collector: ContextCollector,
    file: { path: string; oid: string; side: Side & { analysis: FileAnalysis } },
    range: LineRange | null,
    self: Unit | undefined,
    refs: Set<string>,
  ): void {
    const { units } = file.side.analysis;
    const own: Definition[] = [];
    for (const i of referredUnits(file.side.analysis, refs, true)) {
      const u = units[i];
      if (range && u.startLine <= range.end && range.start <= u.endLine) continue; // the chunk, its containers and its parts
      if (u.kind === 'impl') continue;
      const parent = u.parent >= 0 ? units[u.parent] : undefined;
      const sibling = u.kind === 'method' && !!self && u.parent >= 0 && u.parent === self.parent;
      if (parent?.kind === 'impl' && parent.trait && !sibling) continue; // a trait's items implemented for another type
      if (!(sibling ? refs.has(u.name) : refersTo(u, refs))) continue;
      const def: Definition = { path: file.path, oid: file.oid, text: file.side.text, analysis: file.side.analysis, unit: u };
      if (sibling || refersToDef(def, refs)) own.push(def);
    }
    for (const def of rankDefinitions(own)) {
      if (collector.full) return;
      const parent = def.unit.parent >= 0 ? units[def.unit.parent] : undefined;
      if (parent && collector.has(def.path, parent.start, parent.end)) continue;
      collector.addDefinition(def, 'same-file');
    }
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

  /** resolveImport against the loaded tree, remembered while the tree's set of paths and its packages do not change. */
  private resolve(language: string, file: string, imp: ImportedName): Target[] {
    const version = `${this.pathsVersion}:${this.workspaceVersion}`;
    if (this.resolvedFor !== version || this.resolved.size > 50_000) {
      this.resolved.clear();
      this.resolvedFor = version;
    }
    const key = `${language}\0${file}\0${imp.local}\0${imp.imported}\0${imp.from.join('\0')}\0${imp.module ? 1 : 0}`;
    let v = this.resolved.get(key);
    if (!v) this.resolved.set(key, (v = resolveImport(language, file, imp, this.pathSet(language), this.workspace ?? EMPTY_WORKSPACE)));
    return v;
  }

  /** The loaded tree's packages, read from its manifests (each blob once; at most MAX_MANIFESTS, in path order). */
  private async loadWorkspace(reader: RepoReader): Promise<void> {
    if (this.workspace) return;
    const ws: Workspace = { crates: new Map(), packages: new Map(), modules: new Map(), tsconfigs: new Map() };
    const files = [...this.treePaths.keys()].filter(isManifest).sort(compareStrings).slice(0, MAX_MANIFESTS);
    for (const f of files) {
      const oid = this.treePaths.get(f)!;
      const key = `${oid}\0${f}`;
      let m = this.manifests.get(key);
      if (m === undefined) {
        const text = await reader.readText(oid, { path: f, commit: this.treeCommit });
        m = text !== null && text.length <= 1_000_000 ? readManifest(f, text) : null;
        if (this.manifests.size > 20_000) this.manifests.clear();
        this.manifests.set(key, m);
      }
      if (!m) continue;
      const into = ws[manifestKind(f)];
      if (!into.has(m[0])) into.set(m[0], m[1]); // the first in path order wins a name two packages claim
    }
    // a manifest edited without renaming a package (a version bump) leaves what resolves as it was
    const same = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
    const last = this.lastWorkspace;
    if (!last || !same(ws.crates, last.crates) || !same(ws.packages, last.packages) || !same(ws.modules, last.modules) || !same(ws.tsconfigs, last.tsconfigs)) this.workspaceVersion++;
    this.workspace = this.lastWorkspace = ws;
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
    this.workspace = null;
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
      if (isManifest(f.path) || (f.oldPath !== undefined && isManifest(f.oldPath))) this.workspace = null;
      if (f.oldPath !== undefined && f.oldPath !== f.path) this.dropPath(f.oldPath);
      if (f.change === 'deleted' || !f.newOid || f.newMode === '160000' || f.newMode === '120000') this.dropPath(f.path);
      else {
        if (!this.treePaths.has(f.path)) {
          this.treePathSet.add(f.path);
          this.treeOrdered = false;
          if (languageOfPath(f.path)) this.pathsVersion++;
        }
        this.treePaths.set(f.path, f.newOid);
      }
    }
    this.treeCommit = rec.commit.hash;
  }

  private dropPath(p: string): void {
    if (this.treePaths.delete(p) && languageOfPath(p)) this.pathsVersion++;
    this.treePathSet.delete(p);
  }

  /** The module files of a Rust file's crate root (rustModuleFiles of rustCrateRoot), while the tree's paths stay. */
  private crateRootFiles(file: string): string[] {
    if (this.rootsFor !== this.pathsVersion) {
      this.roots.clear();
      this.rootsFor = this.pathsVersion;
    }
    let r = this.roots.get(file);
    if (!r) {
      if (this.roots.size > 20_000) this.roots.clear();
      this.roots.set(file, (r = rustModuleFiles(rustCrateRoot(file, this.treePathSet), [], this.treePathSet)));
    }
    return r;
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

  /** The file modules a Rust file declares (`mod macros;`), once per blob. */
  private fileModules(oid: string, text: string): string[] {
    let mods = this.modCache.get(oid);
    if (!mods) {
      mods = [...text.matchAll(MOD_DECL)].map((m) => m[1]);
      if (this.modCache.size > 20_000) this.modCache.clear();
      this.modCache.set(oid, mods);
    }
    return mods;
  }

  /**
   * The items inside a Rust file's item-level macro bodies (macroItems.ts), analysed once per blob; null if none, or
   * if no body names `name` (for '*': any of `refs`) nor re-exports a glob: a second parse of the blob only where it
   * can answer.
   */
  private macroAnalysis(oid: string, a: FileAnalysis, spec: LanguageSpec, name: string, refs: Set<string>): FileAnalysis | null {
    if (spec.id !== 'rust') return null;
    const text = a.lines.text;
    let found = this.bodyCache.get(oid);
    if (found === undefined) {
      const fns = () => a.units.filter((u) => (u.kind === 'fn' || u.kind === 'method') && u.bodyStart !== undefined).map((u): [number, number] => [u.bodyStart!, u.bodyEnd ?? u.end]);
      const bodies = macroBodies(text, fns);
      found = bodies && { bodies, names: new Set(bodies.keep.flatMap(([s, e]) => text.slice(s, e).match(IDENTS) ?? [])), glob: bodies.keep.some(([s, e]) => text.slice(s, e).includes('::*')) };
      this.bodyCache.set(oid, found);
    }
    if (!found) return null;
    const { bodies, names, glob } = found;
    if (!glob && !(name === '*' ? [...refs].some((r) => names.has(r)) : names.has(name))) return null;
    let m = this.macroCache.get(oid);
    if (m === undefined) {
      const { items, uses } = macroItems(text, bodies);
      const lines = a.lines;
      const units: Unit[] = items.map((it) => ({ ...it, qualifiedName: it.name, startLine: lines.lineOf(it.start), endLine: lines.lineOf(Math.max(it.start, it.end - 1)), parent: -1, children: [] }));
      // the uses alone make a small text to parse, once per text (a file's next version mostly keeps them)
      const usesText = uses.join('\n');
      let imports = this.macroUses.get(usesText);
      if (!imports) this.macroUses.set(usesText, (imports = usesText ? (this.parsed.analysis('', usesText, spec, '', 'uses')?.imports ?? []) : []));
      this.macroCache.set(oid, (m = { units, imports, hasError: false, lines }));
    }
    return m;
  }

  /** A file of the loaded tree, analysed (parsed once per blob), or null. */
  private async treeFile(file: string, reader: RepoReader): Promise<{ oid: string; spec: LanguageSpec; a: FileAnalysis } | null> {
    const oid = this.treePaths.get(file);
    const spec = languageSpec(languageOfPath(file));
    if (!oid || !spec) return null;
    let a = this.parsed.cached(spec, oid);
    if (a === undefined) {
      if (this.tooLarge.has(oid)) return null;
      const text = await reader.readText(oid, { path: file, commit: this.treeCommit });
      if (text === null) return null;
      const max = this.opts.maxFileBytes;
      if (text.length > max || (text.length * 3 > max && Buffer.byteLength(text) > max)) {
        if (this.tooLarge.size > 20_000) this.tooLarge.clear();
        this.tooLarge.add(oid);
        return null;
      }
      a = this.parsed.analysis(oid, text, spec, file);
    }
    return a ? { oid, spec, a } : null;
  }

  /**
   * Definitions named `name` (or, for '*', any the chunk refers to) in a file of the tree. A name the file does not
   * define is followed through its re-exports — `pub use inner::Foo;`, `pub use self::imp::*;`, `export { Foo } from
   * './inner'`, `export * from './inner'` — breadth first, up to REEXPORT_HOPS hops and REEXPORT_FILES files.
   */
  private async treeDefinitions(file: string, name: string, refs: Set<string>, reader: RepoReader): Promise<Definition[]> {
    if (name === '*') return this.walkDefinitions(file, name, refs, reader);
    // a name's definitions do not depend on the chunk, but for the type members it names: remembered while the
    // loaded tree's paths and packages and every file the walk read stay the same
    const version = `${this.pathsVersion}:${this.workspaceVersion}`;
    if (this.lookupsFor !== version || this.lookups.size > 10_000) {
      this.lookups.clear();
      this.lookupsFor = version;
    }
    const key = `${file}\0${name}`;
    let l = this.lookups.get(key);
    if (!l || !l.read.every(([f, oid]) => this.treePaths.get(f) === oid)) {
      const read: Lookup['read'] = [];
      const members = new Set<Definition>();
      const defs = await this.walkDefinitions(file, name, refs, reader, { read, members });
      this.lookups.set(key, (l = { read, defs, members }));
    }
    const { defs, members } = l;
    return members.size ? defs.filter((d) => !members.has(d) || refs.has(d.unit.name)) : defs;
  }

  /**
   * treeDefinitions' walk. With `record` (a name, not '*'): every type member is kept (and put in record.members),
   * whatever the chunk names, and every file read is put in record.read with its blob.
   */
  private async walkDefinitions(file: string, name: string, refs: Set<string>, reader: RepoReader, record?: { read: Lookup['read']; members: Set<Definition> }): Promise<Definition[]> {
    type At = { file: string; name: string; macroOnly?: boolean };
    let level: At[] = [{ file, name }];
    const key = (at: At) => `${at.file}\0${at.name}\0${at.macroOnly ? 'macro' : ''}`;
    const seen = new Set<string>([key(level[0])]);
    const push = (next: At[], at: At) => {
      const k = key(at);
      if (seen.has(k) || seen.size >= REEXPORT_FILES) return;
      seen.add(k);
      next.push(at);
    };
    const found: Definition[] = [];
    for (let hop = 0; level.length && hop <= REEXPORT_HOPS; hop++) {
      const defs: Definition[] = [];
      const next: At[] = [];
      // a module's re-exports of the names the chunk uses through it (`use tokio::fs;` … `fs::hard_link(…)`, with
      // `pub use self::hard_link::hard_link;` in fs/mod.rs) are looked up in the next hop, beside what it defines
      let viaModule = false;
      for (const at of level) {
        record?.read.push([at.file, this.treePaths.get(at.file)]);
        const f = await this.treeFile(at.file, reader);
        if (!f) continue;
        const { oid, spec, a } = f;
        const text = a.lines.text;
        const find = (an: FileAnalysis): Definition[] => {
          const def = (unit: Unit): Definition => ({ path: at.file, oid, text, analysis: an, unit });
          const hits: Definition[] = [];
          if (at.name === '*') {
            for (const i of referredUnits(an, refs)) hits.push(def(an.units[i]));
            return hits.filter((d) => refersToDef(d, refs));
          }
          const { byName, inherent } = nameIndex(an);
          for (const i of byName.get(at.name) ?? []) {
            const u = an.units[i];
            if (at.macroOnly ? u.kind === 'macro' : u.kind !== 'impl' && u.kind !== 'use' && u.kind !== 'import') hits.push(def(u));
          }
          // a type's own methods and constants the chunk names (`TcpSocket::new_v4()`, `Interest::READABLE`): from its inherent impls
          if (hits.some((d) => TYPE_KINDS.has(d.unit.kind)))
            for (const i of inherent.get(at.name) ?? []) {
              if (!record && !refs.has(an.units[i].name)) continue;
              const d = def(an.units[i]);
              record?.members.add(d);
              hits.push(d);
            }
          return hits;
        };
        let hits = find(a);
        // items and uses inside cfg-style macros, only where the file's own items do not answer (a second parse of
        // the blob), and only when the name or a glob re-export is in the file at all
        // (a module's own items inside them too, beside the ones outside)
        const m = hits.length && at.name !== '*' ? null : this.macroAnalysis(oid, a, spec, at.name, refs);
        if (m) hits = at.name === '*' ? [...hits, ...find(m)] : find(m);
        defs.push(...rankDefinitions(hits));
        if (at.name === '*' && spec.id === 'rust') {
          const got = new Set(hits.map((d) => d.unit.name));
          for (const decl of m ? [...a.imports, ...m.imports] : a.imports) {
            if (!/^pub\b/.test(decl.text)) continue;
            for (const imp of decl.names) {
              if (imp.local === '*' || imp.local === '_' || !refs.has(imp.local) || got.has(imp.local)) continue;
              for (const t of this.resolve(spec.id, at.file, imp))
                for (const g of t.files)
                  if (g !== at.file) {
                    push(next, { file: g, name: t.name === '*' ? imp.local : t.name });
                    viaModule = true;
                  }
            }
          }
        }
        if (at.name === '*' || hits.length || at.macroOnly) continue;
        for (const decl of m ? [...a.imports, ...m.imports] : a.imports) {
          const pubGlob = spec.id === 'rust' && /^pub\b/.test(decl.text);
          for (const imp of decl.names) {
            if (imp.local !== at.name && !(imp.local === '*' && (imp.reexport || pubGlob))) continue;
            for (const t of this.resolve(spec.id, at.file, imp)) for (const g of t.files) if (g !== at.file) push(next, { file: g, name: t.name === '*' ? at.name : t.name });
          }
        }
        // a crate root: `#[macro_export]` macros of its modules are at the crate's root
        if (spec.id === 'rust' && /^[a-z_]/.test(at.name) && /(^|\/)(lib|main)\.rs$/.test(at.file)) {
          const root = path.posix.dirname(at.file) === '.' ? '' : path.posix.dirname(at.file);
          for (const mod of this.fileModules(oid, text)) for (const g of rustModuleFiles(root, [mod], this.treePathSet)) push(next, { file: g, name: at.name, macroOnly: true });
        }
      }
      found.push(...defs);
      if (found.length && !viaModule) return found;
      level = next;
    }
    return found;
  }
}

/** The trait a unit implements: an impl's, or the impl's a method is in. */
function implementedTrait(u: Unit | undefined, a: FileAnalysis | null | undefined): string | undefined {
  if (!u) return undefined;
  if (u.kind === 'impl') return u.trait;
  const p = u.parent >= 0 ? a?.units[u.parent] : undefined;
  return p?.kind === 'impl' ? p.trait : undefined;
}

/** A name's definitions (type members unfiltered), and the files read to find them with their blobs then. */
interface Lookup {
  read: Array<[string, string | undefined]>;
  defs: Definition[];
  members: Set<Definition>;
}

/**
 * A file analysis's units by name, the items of inherent impls by the impl's type, and impl blocks by their type
 * (unit indices, in file order).
 */
interface NameIndex {
  byName: Map<string, number[]>;
  inherent: Map<string, number[]>;
  impls: Map<string, number[]>;
}
const nameIndices = new WeakMap<FileAnalysis, NameIndex>();

function nameIndex(a: FileAnalysis): NameIndex {
  let idx = nameIndices.get(a);
  if (idx) return idx;
  idx = { byName: new Map(), inherent: new Map(), impls: new Map() };
  const add = (m: Map<string, number[]>, k: string, i: number) => {
    const l = m.get(k);
    if (l) l.push(i);
    else m.set(k, [i]);
  };
  a.units.forEach((u, i) => {
    add(idx!.byName, u.name, i);
    const p = u.parent >= 0 ? a.units[u.parent] : undefined;
    if (p?.kind === 'impl' && !p.trait && p.owner && u.kind !== 'impl') add(idx!.inherent, p.owner, i);
    if (u.kind === 'impl' && u.owner) add(idx!.impls, u.owner, i);
  });
  nameIndices.set(a, idx);
  return idx;
}

/**
 * The units of a file a chunk using `refs` refers to (refersTo), in file order, found through the file's NameIndex
 * from the chunk's names. `byName`: every unit whose name the chunk uses, impl blocks aside, instead (sameFile's
 * own filter decides).
 */
function referredUnits(a: FileAnalysis, refs: Set<string>, byName = false): number[] {
  const idx = nameIndex(a);
  const out: number[] = [];
  for (const r of refs) {
    for (const i of idx.byName.get(r) ?? []) if (a.units[i].kind !== 'impl' && (byName || refersTo(a.units[i], refs))) out.push(i);
    if (!byName) for (const i of idx.impls.get(r) ?? []) if (refersTo(a.units[i], refs)) out.push(i);
  }
  return out.sort((x, y) => x - y);
}

/** A path into this crate or another of the workspace: `crate::…`, `self::…`, `super::…`, `tokio::task::yield_now`. */
const RUST_PATH = /(?<![\w:])((?:crate|self|super|[a-z_][a-z0-9_]*)(?:::[A-Za-z_][A-Za-z0-9_]*)+)/g;
/** At most this many paths of one unit are looked up (a generated file can hold thousands). */
const MAX_PATHS = 64;

/**
 * The paths of Rust code (comments and strings blanked) that start at a crate of the workspace (or this one), as the
 * imports they amount to; not in attributes (`#[tokio::test]` names a proc macro, not code the unit runs).
 */
function pathImports(code: string, crates: Map<string, string>): ImportedName[] {
  const out = new Map<string, ImportedName>();
  for (const m of code.replace(/#!?\[[^\]]*\]/g, ' ').matchAll(RUST_PATH)) {
    const segs = m[1].split('::');
    if (segs[0] !== 'crate' && segs[0] !== 'self' && segs[0] !== 'super' && !crates.has(segs[0])) continue;
    const imported = segs[segs.length - 1];
    if (segs.length < 2 || out.has(m[1])) continue;
    out.set(m[1], { local: imported, imported, from: segs.slice(0, -1) });
    if (out.size >= MAX_PATHS) break;
  }
  return [...out.values()];
}

/** Macros of the Rust distribution: never the repository's. */
const STD_MACROS = new Set(
  'assert assert_eq assert_ne debug_assert debug_assert_eq debug_assert_ne cfg column compile_error concat dbg env eprint eprintln file format format_args include include_bytes include_str line matches module_path option_env panic print println stringify thread_local todo unimplemented unreachable vec write writeln'.split(
    ' ',
  ),
);

/** The macros Rust code (comments and strings blanked) invokes (`quote_block! { … }`), the standard ones aside. */
function macroCalls(code: string): string[] {
  const out = new Set<string>();
  for (const m of code.matchAll(/(?<![\w:])([a-z_][a-z0-9_]*)!\s*[({[]/g)) if (!STD_MACROS.has(m[1]) && out.size < MAX_PATHS) out.add(m[1]);
  return [...out];
}

/** The files of the tree a file sees without importing them, given the tree's paths. */
type ImplicitFiles = (paths: Set<string>) => string[];

/** Go: the package's other files; a pytest test: the conftest.py files above it (its fixtures). */
function implicitFiles(language: string, file: string): ImplicitFiles | null {
  if (language === 'go') return (paths) => goPackageFiles(file, paths);
  if (language === 'python' && PY_TEST.test(file)) return (paths) => conftests(file, paths);
  return null;
}

/** A pytest test file (test_*.py, *_test.py): its fixtures come from the conftest.py files above it, unimported. */
const PY_TEST = /(^|\/)(test_[^/]*|[^/]*_test)\.py$/;

/** The conftest.py files of a test file's folder and every folder above it, nearest first. */
function conftests(file: string, paths: Set<string>): string[] {
  const out: string[] = [];
  for (let d = path.posix.dirname(file); ; d = path.posix.dirname(d)) {
    const c = d === '.' ? 'conftest.py' : `${d}/conftest.py`;
    if (paths.has(c)) out.push(c);
    if (d === '.' || d === '/' || d === '') break;
  }
  return out;
}

/** Identifiers (Rust). */
const IDENTS = /[A-Za-z_][A-Za-z0-9_]*/g;

/** Kinds of a type definition, whose inherent impls' items the chunk may name through it. */
const TYPE_KINDS = new Set(['struct', 'enum', 'union', 'type', 'class']);

/** A file module declaration, `mod macros;` (`pub`, `pub(crate)`): group 1 its name. */
const MOD_DECL = /^[ \t]*(?:pub(?:\([^)\n]{0,40}\))?[ \t]+)?mod[ \t]+([A-Za-z_]\w*)[ \t]*;/gm;

/** Re-export hops followed from an imported file to a definition (tokio: `use crate::sync::Mutex` → sync/mod.rs → sync/mutex.rs), and the files visited at most. */
const REEXPORT_HOPS = 3;
const REEXPORT_FILES = 24;
/** Manifests (Cargo.toml, package.json) read per tree at most. */
const MAX_MANIFESTS = 2_000;

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
